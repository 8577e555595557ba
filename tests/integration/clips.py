"""Small real clips for the push tests, made with gst-launch-1.0 when a test runs (no binaries in
git): solid-colour VP8 WebM (optionally with an Opus tone), H.264 MP4, PNG and JPEG stills, and
the files the catalogue must refuse (a truncated WebM, text named .webm, an unknown codec, sound
only). Plus readers for what comes back: a PNG's size and a picture's mean colour."""

import shutil
import struct
import subprocess
from pathlib import Path

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
YELLOW = (255, 255, 0)
CYAN = (0, 255, 255)

FPS = 30
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def has_element(name):
    """Whether GStreamer has the element (openh264 is not everywhere)."""
    return subprocess.run(["gst-inspect-1.0", "--exists", name], capture_output=True).returncode == 0


def _launch(*pipeline):
    subprocess.run(["gst-launch-1.0", "-q", *pipeline], check=True, capture_output=True, timeout=120)


def _colour(colour):
    return ["pattern=solid-color", "foreground-color=0xff%02x%02x%02x" % tuple(colour)]


def _video(colour, seconds, width, height):
    return ["videotestsrc", f"num-buffers={round(seconds * FPS)}", *_colour(colour), "!",
            f"video/x-raw,width={width},height={height},framerate={FPS}/1"]


def make_webm(path, colour=RED, seconds=2, audio=False, width=320, height=240):
    """A VP8 WebM of one colour; with audio, an Opus tone of the same length."""
    path = Path(path)
    pipeline = ["webmmux", "name=mux", "!", "filesink", f"location={path}",
                *_video(colour, seconds, width, height), "!", "vp8enc", "deadline=1", "!", "mux."]
    if audio:
        # 48 kHz in 960-sample (20 ms) buffers: exactly @seconds of sound.
        pipeline += ["audiotestsrc", f"num-buffers={round(seconds * 50)}", "samplesperbuffer=960", "freq=1000",
                     "!", "audio/x-raw,rate=48000,channels=1", "!", "audioconvert", "!", "opusenc", "!", "mux."]
    _launch(*pipeline)
    return path


def make_mp4(path, colour=GREEN, seconds=2, width=320, height=240):
    """An H.264 (openh264) MP4 of one colour; check has_element("openh264enc") first."""
    path = Path(path)
    _launch(*_video(colour, seconds, width, height), "!", "videoconvert", "!", "openh264enc", "!", "h264parse",
            "!", "mp4mux", "!", "filesink", f"location={path}")
    return path


def make_image(path, colour=YELLOW, width=320, height=240):
    """A PNG or JPEG still (by the file's extension) of one colour."""
    path = Path(path)
    encoder = "pngenc" if path.suffix.lower() == ".png" else "jpegenc"
    _launch("videotestsrc", "num-buffers=1", *_colour(colour), "!", f"video/x-raw,width={width},height={height}",
            "!", "videoconvert", "!", encoder, "!", "filesink", f"location={path}")
    return path


def make_sound_only(path, seconds=2):
    """An Ogg Opus tone: no picture at all."""
    path = Path(path)
    _launch("audiotestsrc", f"num-buffers={round(seconds * 50)}", "samplesperbuffer=960", "!",
            "audio/x-raw,rate=48000,channels=1", "!", "audioconvert", "!", "opusenc", "!", "oggmux", "!",
            "filesink", f"location={path}")
    return path


def truncate(source, path, fraction=0.5):
    """The first @fraction of @source: its header still claims the whole length."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[:int(len(data) * fraction)])
    return Path(path)


def make_text(path):
    """A text file, whatever its name says."""
    Path(path).write_text("This is not a clip.\n" * 20)
    return Path(path)


def make_unknown_codec(source, path):
    """@source (a VP8 WebM) with its Matroska codec id changed to one nobody decodes."""
    data = Path(source).read_bytes()
    assert data.count(b"V_VP8") == 1, "expected one VP8 track"
    Path(path).write_bytes(data.replace(b"V_VP8", b"V_QQ8"))
    return Path(path)


def png_size(path):
    """(width, height) from a PNG's IHDR; fails if the file is not a PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no IHDR"
    return struct.unpack(">II", data[16:24])


def mean_colour(path):
    """The mean (r, g, b), 0-255, of a picture file, by ImageMagick."""
    convert = shutil.which("convert")
    assert convert, "ImageMagick's convert is needed to read pictures"
    out = subprocess.run([convert, f"{path}[0]", "-resize", "1x1!", "-depth", "8", "txt:-"], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    # "# ImageMagick pixel enumeration: 1,1,255,srgb\n0,0: (254,0,0)  #FE0000  srgb(254,0,0)"
    pixel = out.splitlines()[1].split("(", 1)[1].split(")", 1)[0]
    return tuple(round(float(v)) for v in pixel.split(",")[:3])


def near(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))
