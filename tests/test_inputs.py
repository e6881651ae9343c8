"""What users hand the predict CLI: image files (any size, polarity, alpha) and stroke JSON."""

import errno
import json
import os

import numpy as np
import pytest
from conftest import drawn_png
from PIL import Image

from runtime import inputs
from runtime.inputs import (
    MAX_COORDINATE,
    MAX_PIXELS,
    WORKING_PIXELS,
    InputError,
    load_ink,
    parse_strokes,
)
from runtime.preprocess import to_model_input


def _clear(alpha: np.ndarray, mode: str) -> Image.Image:
    """Black ink on a clear background, `alpha` opaque, as a `mode` image."""
    if mode == "P":  # palette entry i: black, i/255 opaque
        image = Image.fromarray(alpha).convert("P")
        image.putpalette([0, 0, 0] * 256)
        image.info["transparency"] = bytes(range(256))
        return image
    black = np.zeros_like(alpha)
    channels = [black, black, black, alpha] if mode == "RGBA" else [black, alpha]
    return Image.fromarray(np.stack(channels, axis=-1), mode)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_images_use_alpha_as_ink(tmp_path, mode):
    ink = np.asarray(Image.open(drawn_png(tmp_path / "seven.png")).convert("L"))
    _clear(255 - ink, mode).save(tmp_path / "clear.png")
    got = load_ink(tmp_path / "clear.png")
    np.testing.assert_allclose(got, (255 - ink) / 255, atol=1e-6)
    assert got.dtype == load_ink(tmp_path / "seven.png").dtype == np.float32
    expected = to_model_input((255 - ink).astype(np.float32) / 255)
    np.testing.assert_allclose(to_model_input(got), expected, atol=1e-5)


def test_an_opaque_image_with_an_alpha_channel_is_read_by_its_grey(tmp_path):
    """Screenshots are often RGBA with nothing transparent: their alpha says nothing."""
    rgb = Image.open(drawn_png(tmp_path / "seven.png"))
    rgb.convert("RGBA").save(tmp_path / "screenshot.png")
    np.testing.assert_array_equal(
        load_ink(tmp_path / "screenshot.png"), load_ink(tmp_path / "seven.png")
    )


@pytest.mark.filterwarnings("ignore:Tag data larger than file")
def test_a_photo_with_damaged_exif_data_is_still_read(tmp_path):
    """Pillow warns that it skips a tag; the picture itself is fine."""
    exif = Image.Exif()
    exif[0x010E] = "a description longer than what is left of the EXIF block"
    Image.open(drawn_png(tmp_path / "seven.png")).save(
        tmp_path / "photo.jpg", exif=exif.tobytes()[:-30], quality=95
    )
    ink = load_ink(tmp_path / "photo.jpg")
    assert np.abs(ink - load_ink(tmp_path / "seven.png")).mean() < 0.02


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


def test_a_16_bit_grey_scan_is_read_as_its_8_bit_copy(tmp_path):
    """Pillow would clip 16-bit grey to 8 bits, not scale it: the paper and the ink alike
    would be white, and the scan blank."""
    grey = np.asarray(Image.open(drawn_png(tmp_path / "seven.png")).convert("L"))
    scan = (20 + grey * 0.8).astype(np.uint8)  # dark grey ink on light grey paper
    Image.fromarray(scan).save(tmp_path / "scan8.png")
    Image.fromarray(scan.astype(np.uint16) * 257).save(tmp_path / "scan16.png")
    assert Image.open(tmp_path / "scan16.png").mode == "I;16"
    np.testing.assert_array_equal(
        load_ink(tmp_path / "scan16.png"), load_ink(tmp_path / "scan8.png")
    )


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
    with pytest.raises(InputError) as error:
        load_ink(tmp_path / "big.png")
    assert str(error.value) == (
        f"image too large: {side}x{side} pixels (at most 16 megapixels; scale it down)"
    )


def test_an_image_of_exactly_the_most_pixels_is_read(tmp_path):
    Image.new("1", (MAX_PIXELS // 1000, 1000), 1).save(tmp_path / "long.png")
    assert load_ink(tmp_path / "long.png").size <= WORKING_PIXELS


@pytest.mark.parametrize("size", [(6000, 4000), (4000, 6000), (1000, 8000)])
def test_a_large_jpeg_is_decoded_reduced_but_no_more_than_needed(tmp_path, size):
    """Landscape, portrait or a long strip: at most the working size, and at least a quarter
    of it (whole-factor reductions cost no more)."""
    Image.new("L", size, 255).save(tmp_path / "photo.jpg")
    ink = load_ink(tmp_path / "photo.jpg")
    assert WORKING_PIXELS / 4 <= ink.size <= WORKING_PIXELS


def test_a_large_png_is_read_at_a_reduced_size(tmp_path):
    Image.new("L", (3000, 3000), 255).save(tmp_path / "scan.png")
    assert load_ink(tmp_path / "scan.png").size <= WORKING_PIXELS


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "absent.png", "file not found"),
        (lambda p: p, "is a directory, not an image"),
        (
            lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt",
            "not an image Pillow can read",
        ),
    ],
    ids=["missing", "directory", "text"],
)
def test_unreadable_files_are_one_line_errors(tmp_path, make, message):
    with pytest.raises(InputError) as error:
        load_ink(make(tmp_path))
    assert str(error.value) == message


def test_a_file_the_user_may_not_read_is_an_error(tmp_path, monkeypatch):
    """Stands in for a file without read permission (the tests may run as root)."""

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(inputs.Image, "open", refuse)
    with pytest.raises(InputError) as error:
        load_ink(drawn_png(tmp_path / "seven.png"))
    assert str(error.value) == "permission denied"


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


def test_a_coordinate_of_exactly_the_largest_size_is_accepted():
    (stroke,) = parse_strokes(json.dumps({"strokes": [[[-MAX_COORDINATE, MAX_COORDINATE]]]}))
    np.testing.assert_array_equal(stroke, [[-MAX_COORDINATE, MAX_COORDINATE]])


WITHIN = "stroke 1: coordinates must be finite and within +-1e+07"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON: Expecting property name enclosed in double quotes at character 1"),
        ("[1, 2]", 'expected a JSON object {"strokes": [[[x, y], ...], ...]}'),
        ('{"points": []}', 'expected a JSON object {"strokes": [[[x, y], ...], ...]}'),
        ('{"strokes": []}', '"strokes" must be a non-empty list of strokes'),
        ('{"strokes": [[]]}', "stroke 1 must be a non-empty list of [x, y] points"),
        ('{"strokes": [[[0, 0]], 5]}', "stroke 2 must be a non-empty list of [x, y] points"),
        ('{"strokes": [[[0, 0, 1]]]}', "stroke 1: every point must be [x, y], two numbers"),
        ('{"strokes": [[["a", 0]]]}', "stroke 1: every point must be [x, y], two numbers"),
        ('{"strokes": [[[true, 0]]]}', "stroke 1: every point must be [x, y], two numbers"),
        ('{"strokes": [[[NaN, 0]]]}', WITHIN),
        ('{"strokes": [[[Infinity, 0]]]}', WITHIN),
        ('{"strokes": [[[1e300, 0]]]}', WITHIN),
        ('{"strokes": [[[1' + "0" * 400 + ", 0]]]}", WITHIN),
    ],
)
def test_bad_strokes_are_one_line_errors(text, message):
    with pytest.raises(InputError) as error:
        parse_strokes(text)
    assert str(error.value) == message


@pytest.mark.parametrize(("line", "label"), [({}, None), ({"label": 0}, 0), ({"label": 9}, 9)])
def test_a_stroke_line_s_label_is_the_digit_it_says(line, label):
    assert inputs.parse_label(json.dumps({"strokes": [], **line})) == label


@pytest.mark.parametrize("label", [-1, 10, True, 4.0, "4", None], ids=repr)
def test_a_label_that_is_no_digit_is_a_one_line_error(label):
    with pytest.raises(inputs.InputError, match=r'^"label" must be a digit, 0 to 9$'):
        inputs.parse_label(json.dumps({"strokes": [], "label": label}))
