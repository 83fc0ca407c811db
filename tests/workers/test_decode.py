"""decode_into / decode_image on files made here: every format, mode and failure the
slideshow promises to handle, checked by pixel values, sizes and error types."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile, JpegImagePlugin, features

from slideshow.errors import SlideshowError
from slideshow.workers import colour, decode
from slideshow.workers.decode import (
    ERROR_CODES,
    DamagedImage,
    DecodeError,
    FileTooLarge,
    ImageTooLarge,
    NotAFile,
    UnreadableFile,
    UnsupportedFormat,
    decode_image,
    decode_into,
)

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def close(pixel, colour_, tolerance=12) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, colour_))


def layout(width: int = 64, height: int = 32) -> Image.Image:
    """Left half red, right half blue, a green band along the top: any flip or turn shows."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = RED
    pixels[:, width // 2:] = BLUE
    pixels[: height // 4] = GREEN
    return Image.fromarray(pixels)


def assert_upright_layout(pixels: np.ndarray) -> None:
    h, w = pixels.shape[:2]
    assert close(pixels[h * 5 // 8, w // 8], RED)
    assert close(pixels[h * 5 // 8, w * 7 // 8], BLUE)
    assert close(pixels[h // 16, w // 2], GREEN)
    assert close(pixels[h - 2, 1], RED) and close(pixels[h - 2, w - 2], BLUE)


# Stored pixels for each EXIF orientation: the inverse of the transpose that shows them.
STORE_AS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}


def save_oriented_jpeg(path: Path, shown: Image.Image, orientation: int, **options) -> str:
    stored = shown.transpose(STORE_AS[orientation]) if orientation in STORE_AS else shown
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=95, exif=exif, **options)
    return str(path)


def icc_profile(gamma: float = 1.0) -> bytes:
    """An RGB display profile with sRGB's primaries and a pure power curve (gamma 1.0 is
    linear light): different enough from sRGB that converting moves mid-grey a lot."""
    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))

    ascii_text = b"linear test RGB\0"
    desc = (b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
            + b"\0" * 8 + b"\0\0\0" + b"\0" * 67)
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
            (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text\0\0\0\0none\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + b"\0" * 4
              + b"".join(struct.pack(">i", round(v * 65536)) for v in (0.9642, 1.0, 0.8249)))
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + body


def png_rgb16(path: Path, rgb16: tuple[int, int, int], size=(8, 4)) -> str:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow cannot save one)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    w, h = size
    row = b"\0" + struct.pack(">HHH", *rgb16) * w
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * h)) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return str(path)


# --- orientation and geometry --------------------------------------------------------

@pytest.mark.parametrize("orientation", range(0, 9))
def test_every_exif_orientation_comes_out_upright(tmp_path, orientation):
    path = save_oriented_jpeg(tmp_path / f"o{orientation}.jpg", layout(), orientation)

    pixels, info = decode_image(path, (64, 32), "fit")

    assert pixels.shape == (32, 64, 4)
    assert (info.source_width, info.source_height) == (64, 32)
    assert_upright_layout(pixels)


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_fill_crops_the_centre_of_the_upright_photo(tmp_path, orientation):
    # Shown: 96x32, three bands red | green | blue. Filling a square shows only green.
    bands = np.zeros((32, 96, 3), np.uint8)
    bands[:, :32], bands[:, 32:64], bands[:, 64:] = RED, GREEN, BLUE
    path = save_oriented_jpeg(tmp_path / "bands.jpg", Image.fromarray(bands), orientation)

    pixels, info = decode_image(path, (16, 16), "fill")

    assert pixels.shape == (16, 16, 4) and (info.out_width, info.out_height) == (16, 16)
    assert close(pixels[8, 2], GREEN, 40) and close(pixels[8, 13], GREEN, 40)


def test_fill_fit_and_shrink_sizes_on_a_real_decode(tmp_path):
    path = tmp_path / "small.png"
    layout(64, 32).save(path)

    filled, _ = decode_image(str(path), (50, 50), "fill")
    fitted, _ = decode_image(str(path), (256, 256), "fit")
    shrunk, info = decode_image(str(path), (256, 256), "shrink")

    assert filled.shape == (50, 50, 4)
    assert fitted.shape == (128, 256, 4)  # upscaled to fit
    assert shrunk.shape == (32, 64, 4) and (info.out_width, info.out_height) == (64, 32)
    assert np.array_equal(shrunk[..., :3], np.asarray(layout(64, 32)))  # untouched at 1:1


def test_jpeg_is_decoded_at_reduced_size_never_below_the_output(tmp_path, monkeypatch):
    # Shown 1600x1200, stored sideways as 1200x1600: the draft must be sized in the
    # upright frame, or it could only use 1/2 here.
    path = save_oriented_jpeg(tmp_path / "big.jpg", layout(1600, 1200), 6)
    drafted = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        drafted.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)

    pixels, _ = decode_image(path, (400, 300), "fit")  # exactly 1/4
    decode_image(path, (401, 301), "fit")  # one pixel more: 1/4 would have to be upscaled

    assert drafted == [(300, 400), (600, 800)]  # stored frame
    assert pixels.shape == (300, 400, 4)
    assert_upright_layout(pixels)


# --- formats -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,suffix,options", [
    ("PNG", ".png", {}), ("BMP", ".bmp", {}), ("TIFF", ".tif", {}),
    ("WEBP", ".webp", {"lossless": True}), ("JPEG", ".jpg", {"quality": 95}),
    ("GIF", ".gif", {}),
])
def test_each_format_decodes_to_the_same_picture(tmp_path, fmt, suffix, options):
    path = tmp_path / f"layout{suffix}"
    layout().save(path, fmt, **options)

    pixels, info = decode_image(str(path), (64, 32), "fit")

    assert info.format == fmt
    assert_upright_layout(pixels)
    assert (pixels[..., 3] == 255).all()


def test_format_comes_from_the_content_not_the_extension(tmp_path):
    path = tmp_path / "actually_a_png.jpg"
    layout().save(path, "PNG")

    pixels, info = decode_image(str(path), (64, 32), "fit")

    assert info.format == "PNG"
    assert_upright_layout(pixels)


def test_animated_gif_shows_its_first_frame(tmp_path):
    path = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (20, 10), colour_) for colour_ in (RED, BLUE, GREEN)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)

    pixels, info = decode_image(str(path), (20, 10), "fit")

    assert info.format == "GIF"
    assert (pixels == (*RED, 255)).all()


def test_multi_picture_jpeg_shows_its_first_picture(tmp_path):
    path = tmp_path / "camera.jpg"  # MPO: a JPEG with more pictures after its end marker
    layout().save(path, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 32), GREEN)])
    assert Image.open(path).format == "MPO"

    pixels, info = decode_image(str(path), (64, 32), "fit")

    assert info.format == "JPEG"
    assert_upright_layout(pixels)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_avif_with_orientation_comes_out_upright(tmp_path):
    path = tmp_path / "sideways.avif"
    exif = Image.Exif()
    exif[0x0112] = 6
    layout().transpose(STORE_AS[6]).save(path, quality=95, exif=exif)

    pixels, info = decode_image(str(path), (64, 32), "fit")

    assert info.format == "AVIF" and (info.source_width, info.source_height) == (64, 32)
    assert_upright_layout(pixels)


def test_progressive_jpeg_with_restart_markers_decodes(tmp_path):
    path = tmp_path / "progressive.jpg"
    layout(200, 100).save(path, "JPEG", quality=95, progressive=True, restart_marker_rows=1)

    pixels, _ = decode_image(str(path), (200, 100), "fit")

    assert_upright_layout(pixels)


# --- colour --------------------------------------------------------------------------

def test_png_alpha_is_kept_straight(tmp_path):
    rgba = np.zeros((10, 20, 4), np.uint8)
    rgba[:, :10] = (255, 0, 0, 255)
    rgba[:, 10:] = (0, 0, 255, 64)
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba).save(path)

    pixels, _ = decode_image(str(path), (20, 10), "fit")

    assert tuple(pixels[5, 2]) == (255, 0, 0, 255)
    assert tuple(pixels[5, 17]) == (0, 0, 255, 64)  # straight, not premultiplied


def test_downscaled_alpha_edges_do_not_darken(tmp_path):
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[:, :20] = (255, 255, 255, 255)  # opaque white next to transparent black
    path = tmp_path / "edge.png"
    Image.fromarray(rgba).save(path)

    pixels, _ = decode_image(str(path), (10, 10), "fit")

    edge = pixels[5, 4:6]
    assert (edge[:, :3][edge[:, 3] > 0] >= 250).all()  # resampled premultiplied: no grey fringe


def test_palette_with_transparency_becomes_alpha(tmp_path):
    image = Image.new("P", (20, 10), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (10, 0, 20, 10))
    path = tmp_path / "palette.png"
    image.save(path, transparency=1)

    pixels, _ = decode_image(str(path), (20, 10), "fit")

    assert tuple(pixels[5, 2]) == (255, 0, 0, 255)
    assert pixels[5, 17, 3] == 0


def test_grey_and_grey_alpha_become_rgba(tmp_path):
    Image.new("L", (8, 8), 77).save(tmp_path / "l.png")
    Image.new("LA", (8, 8), (200, 99)).save(tmp_path / "la.png")

    grey, _ = decode_image(str(tmp_path / "l.png"), (8, 8), "fit")
    grey_alpha, _ = decode_image(str(tmp_path / "la.png"), (8, 8), "fit")

    assert (grey == (77, 77, 77, 255)).all()
    assert (grey_alpha == (200, 200, 200, 99)).all()


def test_16_bit_grey_is_scaled_not_clipped(tmp_path):
    samples = np.array([[0, 16384, 32768, 65535]], np.uint16).repeat(4, axis=0)
    path = tmp_path / "grey16.png"
    Image.fromarray(samples).save(path)
    assert Image.open(path).mode == "I;16"

    pixels, _ = decode_image(str(path), (4, 4), "fit")

    assert pixels[0, :, 0].tolist() == [0, 64, 128, 255]


def test_16_bit_rgb_keeps_its_colour(tmp_path):
    path = png_rgb16(tmp_path / "rgb16.png", (0x8000, 0x4000, 0xFFFF))

    pixels, _ = decode_image(path, (8, 4), "fit")

    assert (pixels == (128, 64, 255, 255)).all()


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (32, 16), (0, 255, 255, 0)).save(path, quality=95)  # red ink
    assert Image.open(path).mode == "CMYK"

    pixels, _ = decode_image(str(path), (32, 16), "fit")

    assert close(pixels[8, 16], (*RED, 255))


def test_embedded_non_srgb_profile_is_converted_to_srgb(tmp_path):
    path = tmp_path / "linear.png"
    Image.new("RGB", (8, 8), (128, 128, 128)).save(path, icc_profile=icc_profile(gamma=1.0))

    pixels, _ = decode_image(str(path), (8, 8), "fit")

    # 128 in linear light is 188 in sRGB's curve.
    assert close(pixels[4, 4], (188, 188, 188, 255), tolerance=2)


def test_profile_on_an_alpha_image_keeps_the_alpha(tmp_path):
    path = tmp_path / "linear_alpha.png"
    Image.new("RGBA", (8, 8), (128, 128, 128, 100)).save(path, icc_profile=icc_profile(1.0))

    pixels, _ = decode_image(str(path), (8, 8), "fit")

    assert close(pixels[4, 4], (188, 188, 188, 100), tolerance=2)


def test_srgb_profile_leaves_pixels_alone(tmp_path):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "srgb.png"
    Image.new("RGB", (8, 8), (200, 100, 50)).save(path, icc_profile=srgb)

    pixels, _ = decode_image(str(path), (8, 8), "fit")

    assert (pixels == (200, 100, 50, 255)).all()
    assert colour._transform_to_srgb(srgb, "RGB") is None


def test_profile_transform_is_built_once_per_profile(tmp_path):
    profile = icc_profile(gamma=1.8)
    for name in ("a.png", "b.png"):
        Image.new("RGB", (8, 8), (10, 20, 30)).save(tmp_path / name, icc_profile=profile)
    colour._transform_to_srgb.cache_clear()

    decode_image(str(tmp_path / "a.png"), (8, 8), "fit")
    decode_image(str(tmp_path / "b.png"), (8, 8), "fit")

    info = colour._transform_to_srgb.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_broken_profile_is_ignored_not_fatal(tmp_path):
    path = tmp_path / "junk_profile.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(path, icc_profile=b"not a profile" * 20)

    pixels, _ = decode_image(str(path), (8, 8), "fit")

    assert (pixels == (1, 2, 3, 255)).all()


# --- the output buffer ---------------------------------------------------------------

def test_decode_into_writes_packed_rgba_from_offset_0_and_nothing_past_it(tmp_path):
    path = tmp_path / "wide.png"
    layout(64, 32).save(path)
    out = np.full(100 * 100 * 4, 7, np.uint8)

    info = decode_into(str(path), (100, 100), "fit", out)

    n = info.out_width * info.out_height * 4
    assert (info.out_width, info.out_height, info.stride) == (100, 50, 400)
    assert_upright_layout(out[:n].reshape(50, 100, 4))
    assert (out[n:] == 7).all()
    assert info.ms > 0 and info.format == "PNG"


def test_write_falls_back_to_a_copy_if_pillow_stops_writing_through(tmp_path, monkeypatch):
    path = tmp_path / "wide.png"
    layout(64, 32).save(path)
    # A Pillow that treats every image as read-only copies before pasting.
    monkeypatch.setattr(Image.Image, "readonly", property(lambda self: 1, lambda self, value: None))
    out = np.zeros(64 * 32 * 4, np.uint8)

    decode_into(str(path), (64, 32), "fit", out)

    assert_upright_layout(out.reshape(32, 64, 4))


def test_out_that_is_too_small_or_not_bytes_is_a_value_error(tmp_path):
    path = tmp_path / "x.png"
    layout().save(path)
    with pytest.raises(ValueError, match="needs 8192"):
        decode_into(str(path), (64, 32), "fit", np.zeros(100, np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        decode_into(str(path), (64, 32), "fit", np.zeros(64 * 32, np.uint32))
    with pytest.raises(ValueError, match="allowed|fill"):
        decode_into(str(path), (64, 32), "zoom", np.zeros(64 * 32 * 4, np.uint8))


# --- failures ------------------------------------------------------------------------

def test_truncated_jpeg_is_damaged(tmp_path):
    whole = io.BytesIO()
    layout(400, 300).save(whole, "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) * 6 // 10])

    with pytest.raises(DamagedImage, match="truncated") as caught:
        decode_image(str(path), (100, 100), "fill")
    assert caught.value.path == str(path)


def test_jpeg_with_a_broken_marker_in_its_data_is_damaged(tmp_path):
    data = bytearray(_noisy_jpeg(restart_marker_rows=1))
    scan = data.index(b"\xff\xda")
    middle = scan + (len(data) - scan) // 2
    data[middle:middle + 2] = b"\xff\x9f"
    path = tmp_path / "broken_marker.jpg"
    path.write_bytes(bytes(data))

    with pytest.raises(DamagedImage, match="invalid marker 0xFF9F"):
        decode_image(str(path), (100, 100), "fill")


def test_jpeg_missing_restart_markers_is_damaged(tmp_path):
    data = _noisy_jpeg(restart_marker_rows=1)
    scan = data.index(b"\xff\xda")
    cut = data.index(b"\xff\xd1", scan)  # drop the data from the 2nd restart marker to the 4th
    resume = data.index(b"\xff\xd3", scan)
    path = tmp_path / "lost_data.jpg"
    path.write_bytes(data[:cut] + data[resume:])

    with pytest.raises(DamagedImage, match="restart markers"):
        decode_image(str(path), (100, 100), "fill")


def test_pillow_truncated_images_setting_stays_off():
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_png_is_damaged(tmp_path):
    whole = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(whole, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(whole.getvalue()[:-2000])

    with pytest.raises(DamagedImage):
        decode_image(str(path), (64, 64), "fit")


def test_jpeg_signature_with_garbage_after_it_is_damaged(tmp_path):
    path = tmp_path / "garbage.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)

    with pytest.raises(DamagedImage, match="JPEG"):
        decode_image(str(path), (64, 32), "fit")


def test_text_file_named_jpg_is_unsupported(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("shopping list: eggs, milk\n" * 10)

    with pytest.raises(UnsupportedFormat, match="not an image") as caught:
        decode_image(str(path), (64, 32), "fit")
    assert str(caught.value).startswith(f"{path}: ")


def test_image_format_outside_the_allow_list_is_unsupported(tmp_path):
    path = tmp_path / "icon.ico"
    layout(32, 32).save(path, "ICO")

    with pytest.raises(UnsupportedFormat):
        decode_image(str(path), (64, 32), "fit")


def test_zero_byte_file_is_unreadable(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")

    with pytest.raises(UnreadableFile, match="empty"):
        decode_image(str(path), (64, 32), "fit")


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="does not exist"):
        decode_image(str(tmp_path / "gone.jpg"), (64, 32), "fit")


def test_directory_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="folder"):
        decode_image(str(tmp_path), (64, 32), "fit")


def test_file_without_read_permission_is_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "secret.png"
    layout().save(path)

    def refuse(*args, **kwargs):  # chmod 0 would not stop root, who runs CI here
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(decode, "open_regular", refuse)

    with pytest.raises(UnreadableFile, match="permission denied"):
        decode_image(str(path), (64, 32), "fit")


def test_header_claiming_a_huge_image_is_too_large_and_never_decoded(tmp_path, monkeypatch):
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    monkeypatch.setattr(ImageFile.ImageFile, "load", _must_not_decode)

    with pytest.raises(ImageTooLarge, match="pixels"):
        decode_image(str(path), (64, 32), "fit")


@pytest.mark.parametrize("limit", [2000, 1000])  # 2500 pixels: Pillow's warning, then error range
def test_over_the_pixel_limit_is_too_large_even_in_the_warning_range(tmp_path, monkeypatch, limit):
    path = tmp_path / "big.jpg"
    layout(50, 50).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    monkeypatch.setattr(ImageFile.ImageFile, "load", _must_not_decode)

    with pytest.raises(ImageTooLarge, match="pixels"):
        decode_image(str(path), (64, 32), "fit")


def test_bad_exif_block_does_not_stop_the_photo(tmp_path):
    good = io.BytesIO()
    layout().save(good, "JPEG", quality=95)
    data = good.getvalue()
    # An APP1 "Exif" segment whose TIFF header points far outside it.
    app1_body = b"Exif\0\0" + b"II*\0" + struct.pack("<I", 0x7FFFFFF0) + b"\xde\xad" * 8
    app1 = b"\xff\xe1" + struct.pack(">H", len(app1_body) + 2) + app1_body
    path = tmp_path / "bad_exif.jpg"
    path.write_bytes(data[:2] + app1 + data[2:])

    pixels, _ = decode_image(str(path), (64, 32), "fit")

    assert_upright_layout(pixels)


def test_heif_without_pillow_heif_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "photo.heic"
    path.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64)
    monkeypatch.setattr(decode, "_heif_available", lambda: False)

    with pytest.raises(UnsupportedFormat, match=r"needs pillow-heif, which is missing here: "
                                                 r"pip install pillow-heif$"):
        decode_image(str(path), (64, 32), "fit")


def test_sniff_knows_the_allow_list_by_its_first_bytes():
    assert decode.sniff(b"\xff\xd8\xff\xe0rest") == "JPEG"
    assert decode.sniff(b"\x89PNG\r\n\x1a\nrest") == "PNG"
    assert decode.sniff(b"GIF89a....") == "GIF"
    assert decode.sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "WEBP"
    assert decode.sniff(b"BM" + b"\0" * 30) == "BMP"
    assert decode.sniff(b"MM\0*\0\0\0\x08") == "TIFF"
    assert decode.sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic") == "HEIF"
    assert decode.sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf") == "AVIF"
    assert decode.sniff(b"%PDF-1.7") is None
    assert decode.sniff(b"\0\0\0\x0cJXL \r\n\x87\n") is None


# --- the errors themselves -----------------------------------------------------------

def test_errors_carry_path_and_reason_and_survive_pickling():
    error = DamagedImage("/photos/a.jpg", "the image data is damaged")
    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, DamagedImage) and isinstance(copy, SlideshowError)
    assert (copy.path, copy.reason) == ("/photos/a.jpg", "the image data is damaged")
    assert str(copy) == "/photos/a.jpg: the image data is damaged"


def test_every_error_class_has_its_own_nonzero_code():
    classes = {DecodeError, UnsupportedFormat, DamagedImage, ImageTooLarge, UnreadableFile,
               NotAFile, FileTooLarge}
    assert set(ERROR_CODES) == classes
    assert len(set(ERROR_CODES.values())) == len(classes) and 0 not in ERROR_CODES.values()
    assert all(0 < code < 255 for code in ERROR_CODES.values())


def _must_not_decode(self, *args, **kwargs):
    raise AssertionError("an image over the pixel limit was decoded")


def _noisy_jpeg(**options) -> bytes:
    pixels = np.random.default_rng(1).integers(0, 255, (96, 128, 3), np.uint8)
    data = io.BytesIO()
    Image.fromarray(pixels).save(data, "JPEG", quality=90, **options)
    return data.getvalue()
