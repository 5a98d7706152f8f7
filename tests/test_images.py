"""Reading pictures (artstudy.data.images): written and read back identical, a clear one-line error for a missing or
corrupt file, and a mask that counts them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from artstudy.data.images import load_images, readable_images
from artstudy.errors import InputError


@pytest.fixture()
def pictures(tmp_path):
    rng = np.random.default_rng(0)
    arrays = rng.integers(0, 256, size=(5, 16, 16, 3), dtype=np.uint8)
    (tmp_path / "img").mkdir()
    names = []
    for i, a in enumerate(arrays):
        Image.fromarray(a).save(tmp_path / "img" / f"{i}.png")
        names.append(f"img/{i}.png")
    return tmp_path, names, arrays


def test_written_and_read_back_identical(pictures):
    base, names, arrays = pictures
    back = load_images(names, 16, base_dir=base)
    assert back.dtype == np.uint8 and back.shape == (5, 16, 16, 3)
    np.testing.assert_array_equal(back, arrays)
    # absolute paths need no base_dir
    np.testing.assert_array_equal(load_images([base / n for n in names], 16), arrays)


def test_resized_and_converted_to_rgb(pictures):
    base, names, arrays = pictures
    Image.fromarray(arrays[0]).convert("L").save(base / "grey.png")
    out = load_images(["grey.png", names[1]], 8, base_dir=base)
    assert out.shape == (2, 8, 8, 3)
    assert (out[0, ..., 0] == out[0, ..., 1]).all()  # grey read as RGB
    expected = np.asarray(Image.fromarray(arrays[1]).resize((8, 8), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(out[1], expected)


def test_missing_and_corrupt_files_give_one_clear_error(pictures):
    base, names, _ = pictures
    (base / "img" / "bad.png").write_bytes(np.random.default_rng(1).integers(0, 256, 500, dtype=np.uint8).tobytes())
    (base / "img" / "cut.png").write_bytes((base / "img" / "0.png").read_bytes()[:60])  # truncated
    paths = [*names, "img/bad.png", "img/gone.png", "img/cut.png"]
    with pytest.raises(InputError) as err:
        load_images(paths, 16, base_dir=base)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("3 of 8 image files cannot be read")
    assert "bad.png (corrupt" in msg and "gone.png (missing)" in msg and "cut.png (corrupt" in msg
    # many bad files: the first few named, the rest counted
    with pytest.raises(InputError, match=r"^6 of 6 .*and 3 more$"):
        load_images([f"no{i}.png" for i in range(6)], 16, base_dir=base)


def test_the_mask_counts_the_unreadable(pictures):
    base, names, arrays = pictures
    (base / "img" / "bad.png").write_bytes(b"not a picture at all")
    paths = [names[0], "img/bad.png", "img/gone.png", None, "", names[4]]
    ok = readable_images(paths, base_dir=base)
    np.testing.assert_array_equal(ok, [True, False, False, False, False, True])
    assert (~ok).sum() == 4
    np.testing.assert_array_equal(load_images(np.asarray(paths, dtype=object)[ok], 16, base_dir=base),
                                  arrays[[0, 4]])
