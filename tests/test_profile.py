"""A writer's profile: what it learns, how it tilts a reading, and how it is kept on disk."""

import hashlib

import numpy as np
import pytest

from runtime import profile as profile_module
from runtime.profile import (
    CAPACITY,
    DIMENSIONS,
    Profile,
    ProfileError,
    default_path,
    load,
    project,
)

RNG = np.random.default_rng(0)
PROJECTION_1600_SHA256 = "9938815795d2b795c541da6447e1724170a2425b5d66e717d3ea7fc0a176df85"
FOURS = RNG.normal(0, 1, (5, 1600)) + 3 * RNG.normal(0, 1, 1600)  # one writer's way of a 4


def test_the_projection_is_fixed_unit_length_and_keeps_neighbours_near():
    reduced = project(FOURS)
    assert reduced.shape == (5, DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(reduced, axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(project(FOURS), reduced)
    other = project(RNG.normal(0, 1, (1, 1600)))
    assert (reduced[1:] @ reduced[0]).min() > (other @ reduced[0]).max()
    # pinned: every stored profile depends on it (computed afresh, not taken from the cache)
    profile_module._PROJECTIONS.clear()
    signs = np.array([[-1, 1, -1, -1, -1, -1], [-1, 1, -1, 1, 1, 1], [1, -1, -1, -1, 1, 1]])
    np.testing.assert_allclose(profile_module._projection(3)[:, :6], signs / np.sqrt(128))
    # ...and all of it, for the image model's 1600-wide embedding
    bits = np.packbits(profile_module._projection(1600) > 0).tobytes()
    assert hashlib.sha256(bits).hexdigest() == PROJECTION_1600_SHA256


def test_a_correction_tilts_like_drawings_toward_its_digit_and_others_not_much():
    profile = Profile("model")
    misread = np.full((1, 10), 0.02)
    misread[0, 5] = 0.82  # a 4 the models read as 5
    assert profile.adapt(misread, FOURS[:1]) is misread  # an empty profile changes nothing
    profile.learn(FOURS[0], 4)
    adapted = profile.adapt(misread, FOURS[1:])
    assert (adapted.argmax(axis=1) == 4).all()
    stranger = profile.adapt(misread, RNG.normal(0, 1, (1, 1600)))
    assert stranger.argmax() == 5
    np.testing.assert_allclose(adapted.sum(axis=1), 1, rtol=1e-6)
    profile.forget_last()
    assert len(profile) == 0


def test_undoing_and_forgetting_take_samples_out_of_the_profile_and_its_tilt():
    profile = Profile("model")
    misread = np.full((1, 10), 0.02)
    misread[0, 5] = 0.82
    for index, digit in enumerate((4, 4, 7)):
        profile.learn(FOURS[index], digit)
    assert profile.adapt(misread, FOURS[3:4]).argmax() in (4, 7)  # the tilt is worked out...
    profile.forget_last()  # ...and worked out again without the 7
    assert profile.labels.tolist() == [4, 4] and profile.embeddings.shape == (2, DIMENSIONS)
    assert profile.adapt(misread, FOURS[3:4]).argmax() == 4
    profile.clear()
    profile.learn(FOURS[0], 4)
    assert profile.labels.tolist() == [4] and profile.embeddings.shape == (1, DIMENSIONS)


def test_the_oldest_samples_go_beyond_the_capacity():
    profile = Profile("model")
    for index in range(CAPACITY + 3):
        profile.learn(FOURS[index % 5], index % 10)
    assert len(profile) == CAPACITY and profile.labels[0] == 3


def test_a_profile_survives_a_restart_and_is_written_atomically(tmp_path):
    path = tmp_path / "data" / "digits" / "profile.npz"  # its folders made as needed
    profile = Profile("model")
    profile.learn(FOURS[0], 4)
    profile.save(path)
    again = load(path, "model")
    assert again.message is None and again.profile.labels.tolist() == [4]
    np.testing.assert_allclose(again.profile.embeddings, profile.embeddings, atol=1e-3)
    assert [p.name for p in path.parent.iterdir()] == ["profile.npz"]  # no temporary left
    with np.load(path) as stored:  # half precision: a full profile stays small
        assert stored["embeddings"].dtype == np.float16


def test_a_profile_of_other_models_is_set_aside_not_applied(tmp_path):
    path = tmp_path / "profile.npz"
    old = Profile("old model")
    old.learn(FOURS[0], 4)
    old.save(path)
    loaded = load(path, "new model")
    assert len(loaded.profile) == 0 and loaded.profile.model == "new model"
    assert "made with other models" in loaded.message and "\n" not in loaded.message
    (kept,) = tmp_path.glob("profile.npz.other-model-*")
    assert load(kept, "old model").profile.labels.tolist() == [4]


@pytest.mark.parametrize("damage", [b"not a profile at all", None], ids=["garbage", "truncated"])
def test_a_damaged_profile_is_kept_aside_and_reported(tmp_path, damage):
    path = tmp_path / "profile.npz"
    profile = Profile("model")
    profile.learn(FOURS[0], 4)
    profile.save(path)
    path.write_bytes(damage if damage is not None else path.read_bytes()[:100])
    loaded = load(path, "model")
    assert len(loaded.profile) == 0 and "is damaged" in loaded.message
    assert len(list(tmp_path.glob("profile.npz.damaged-*"))) == 1 and not path.exists()


def test_a_profile_lives_in_the_platform_s_folder_for_application_data(monkeypatch, tmp_path):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "digits" / "profile.npz"
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "roaming"))
    assert default_path() == tmp_path / "roaming" / "digits" / "profile.npz"


def test_without_the_platform_s_variables_a_profile_lives_under_the_home_folder(
    monkeypatch, tmp_path
):
    """The defaults each platform documents when XDG_DATA_HOME or APPDATA is unset or empty."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("pathlib.Path.home", lambda: tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", "")
    monkeypatch.delenv("APPDATA", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert default_path() == tmp_path / ".local" / "share" / "digits" / "profile.npz"
    monkeypatch.setattr("sys.platform", "win32")
    assert default_path() == tmp_path / "AppData" / "Roaming" / "digits" / "profile.npz"
    monkeypatch.setattr("sys.platform", "darwin")
    assert default_path() == tmp_path / "Library" / "Application Support" / "digits" / "profile.npz"


def _stored(path, **changes):
    """A profile file as `Profile.save` writes it, with some of its entries changed."""
    entries = {
        "format": np.int32(profile_module.FORMAT),
        "model": np.array("model"),
        "embeddings": np.zeros((2, DIMENSIONS), np.float16),
        "labels": np.array([4, 7], np.int8),
    }
    np.savez(path, **{**entries, **changes})


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"format": np.int32(99)}, "format 99"),
        ({"labels": np.array([4, 12], np.int8)}, "its samples do not fit together"),
        ({"embeddings": np.zeros((3, DIMENSIONS), np.float16)}, "its samples do not fit together"),
    ],
    ids=["future format", "a label no digit", "samples without labels"],
)
def test_a_profile_that_does_not_fit_together_is_set_aside_with_its_reason(tmp_path, changes, why):
    path = tmp_path / "profile.npz"
    _stored(path, **changes)
    loaded = load(path, "model")
    assert len(loaded.profile) == 0 and loaded.profile.model == "model"
    assert why in loaded.message and "is damaged" in loaded.message
    assert not path.exists() and len(list(tmp_path.glob("profile.npz.damaged-*"))) == 1


def test_a_profile_read_back_is_the_model_s_with_samples_as_adapt_expects(tmp_path):
    path = tmp_path / "profile.npz"
    _stored(path)
    loaded = load(path, "model").profile
    assert loaded.model == "model" and loaded.labels.tolist() == [4, 7]
    assert loaded.embeddings.dtype == np.float32 and loaded.labels.dtype == np.int8


def test_a_profile_that_cannot_be_written_says_so_in_one_line(tmp_path):
    (tmp_path / "digits").write_text("a file where the folder should be")
    with pytest.raises(ProfileError, match=r"^cannot write the profile .*profile\.npz: \S"):
        Profile("model").save(tmp_path / "digits" / "profile.npz")
