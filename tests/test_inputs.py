"""What users hand the predict CLI: image files (any size, polarity, alpha) and stroke JSON."""

import json

import numpy as np
import pytest
from conftest import drawn_png
from PIL import Image

from runtime.inputs import MAX_PIXELS, WORKING_PIXELS, InputError, load_ink, parse_strokes
from runtime.preprocess import to_model_input


def test_transparent_images_use_alpha_as_ink(tmp_path):
    ink = np.asarray(Image.open(drawn_png(tmp_path / "seven.png")).convert("L"))
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., 3] = 255 - ink  # black ink on a clear background
    Image.fromarray(rgba, "RGBA").save(tmp_path / "clear.png")
    expected = to_model_input((255 - ink).astype(np.float32) / 255)
    got = to_model_input(load_ink(tmp_path / "clear.png"))
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_photo_s_orientation_tag_is_applied(tmp_path):
    """A phone stores a portrait photo sideways with an EXIF tag saying how to turn it."""
    upright = Image.open(drawn_png(tmp_path / "seven.png")).convert("L")
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to view
    sideways.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    ink = load_ink(tmp_path / "photo.jpg")
    expected = load_ink(tmp_path / "seven.png")
    assert ink.shape == expected.shape
    assert np.abs(ink - expected).mean() < 0.02


def test_both_polarities_give_the_same_ink(tmp_path):
    dark = load_ink(drawn_png(tmp_path / "dark.png"))
    light = load_ink(drawn_png(tmp_path / "light.png", dark_on_light=False))
    np.testing.assert_allclose(dark, light, atol=1e-6)
    assert dark.max() == 1.0 and dark.min() == 0.0


def test_a_dark_border_does_not_turn_the_paper_into_ink(tmp_path):
    page = np.asarray(Image.open(drawn_png(tmp_path / "seven.png")).convert("L")).copy()
    page[:12], page[-12:], page[:, :12], page[:, -12:] = 0, 0, 0, 0  # a thick black border
    Image.fromarray(page).save(tmp_path / "framed.png")
    ink = load_ink(tmp_path / "framed.png")
    assert ink[140, 140] < 0.5 < ink[0, 0]  # the paper stays paper, the border is ink


def test_decompression_bombs_are_refused(tmp_path):
    Image.new("1", (10_000, 10_000)).save(tmp_path / "bomb.png")  # 100 Mpx, a few kB on disk
    with pytest.raises(InputError, match="too large"):
        load_ink(tmp_path / "bomb.png")


def test_an_image_too_large_to_decode_on_a_small_device_is_refused(tmp_path):
    side = int(MAX_PIXELS**0.5) + 100  # below Pillow's bomb limit, above ours
    Image.new("L", (side, side), 255).save(tmp_path / "big.png")
    with pytest.raises(InputError, match=f"image too large: {side}x{side} pixels"):
        load_ink(tmp_path / "big.png")


def test_a_large_jpeg_is_decoded_reduced(tmp_path):
    Image.new("L", (6000, 4000), 255).save(tmp_path / "photo.jpg")
    ink = load_ink(tmp_path / "photo.jpg")
    assert ink.size <= WORKING_PIXELS


def test_a_large_png_is_read_at_a_reduced_size(tmp_path):
    Image.new("L", (3000, 3000), 255).save(tmp_path / "scan.png")
    assert load_ink(tmp_path / "scan.png").size <= WORKING_PIXELS


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "absent.png", "file not found"),
        (lambda p: p, "is a directory"),
        (lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt", "not an image"),
    ],
    ids=["missing", "directory", "text"],
)
def test_unreadable_files_are_one_line_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message) as error:
        load_ink(make(tmp_path))
    assert "\n" not in str(error.value)


def test_a_truncated_image_is_an_error(tmp_path):
    good = drawn_png(tmp_path / "seven.png")
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError, match="cannot decode"):
        load_ink(tmp_path / "cut.png")


def test_strokes_are_parsed_in_their_own_units():
    strokes = parse_strokes(json.dumps({"strokes": [[[0, 0], [10.5, 20]], [[3, 4]]]}))
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0], [[0, 0], [10.5, 20]])
    assert strokes[1].shape == (1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"points": []}', "expected a JSON object"),
        ('{"strokes": []}', "non-empty list of strokes"),
        ('{"strokes": [[]]}', "stroke 1 must be a non-empty list"),
        ('{"strokes": [[[0, 0]], 5]}', "stroke 2 must be a non-empty list"),
        ('{"strokes": [[[0, 0, 1]]]}', "every point must be [x, y]"),
        ('{"strokes": [[["a", 0]]]}', "every point must be [x, y]"),
        ('{"strokes": [[[true, 0]]]}', "every point must be [x, y]"),
        ('{"strokes": [[[NaN, 0]]]}', "finite"),
        ('{"strokes": [[[Infinity, 0]]]}', "finite"),
        ('{"strokes": [[[1e300, 0]]]}', "within"),
        ('{"strokes": [[[1' + "0" * 400 + ", 0]]]}", "within"),
    ],
)
def test_bad_strokes_are_one_line_errors(text, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")) as error:
        parse_strokes(text)
    assert "\n" not in str(error.value)
