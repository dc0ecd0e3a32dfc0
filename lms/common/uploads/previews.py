"""Pictures of uploads that are not images, for their thumbnails: a video's poster frame and a
PDF's first page, each as PNG bytes no larger than a given box.

Both are made in a child process with a time limit, so a hostile or broken file can cost at most
that time and can never crash or hang the process that asked (a web process on the embedded
default, the RQ worker otherwise):

* videos by Debian's ``ffmpeg`` (``apt-get install ffmpeg``), reading only the local file (its
  demuxer chosen from the sniffed type, ``-protocol_whitelist file``, no standard input), one
  frame at ``POSTER_AT`` seconds, or the first frame of a shorter video;
* PDFs by PDFium (the ``pypdfium2`` wheel ships it) in ``pdf_first_page.py``, run by this
  Python with a memory limit.

ffmpeg also runs under a memory (address space) and CPU limit, set by util-linux's ``prlimit``
(``prlimit --as=BYTES --cpu=SECONDS -- ffmpeg ...``) rather than a ``preexec_fn``, which is unsafe in
a threaded process; the memory limit is ``THUMBNAIL_MEMORY_MB`` (ffmpeg's shared libraries alone
take some 300 MB of address space).  Without ``prlimit`` only the time limit applies.

Without ffmpeg, ``video_poster`` raises ``ToolMissing`` (the caller logs one line, no poster).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

VIDEO_TIMEOUT = 30  # seconds
PDF_TIMEOUT = 20
POSTER_AT = 1  # seconds into the video
VIDEO_DEMUXERS = {"video/mp4": "mp4", "video/webm": "webm"}
PDF_SCRIPT = Path(__file__).with_name("pdf_first_page.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PreviewFailed(Exception):
    """The file could not be pictured (damaged, hostile, encrypted, too slow): the reason."""


class ToolMissing(PreviewFailed):
    """The program that makes this kind of picture is not installed."""


def ffmpeg_command() -> str | None:
    return shutil.which("ffmpeg")


def limited(command: list[str], memory_bytes: int | None, cpu_seconds: int) -> list[str]:
    """``command`` run by ``prlimit`` under those limits, or as it is when there is no ``prlimit``."""
    prlimit = shutil.which("prlimit")
    if prlimit is None or not memory_bytes:
        return command
    return [prlimit, f"--as={int(memory_bytes)}", f"--cpu={int(cpu_seconds)}", "--", *command]


def video_poster(path: Path, content_type: str, box: tuple[int, int], max_pixels: int,
                 memory_bytes: int | None = None) -> bytes:
    """A PNG of one frame of the video at ``path``, scaled to fit ``box``; ffmpeg may use at most
    ``memory_bytes`` of address space (no limit when None)."""
    ffmpeg = ffmpeg_command()
    if ffmpeg is None:
        raise ToolMissing("ffmpeg is not installed (apt-get install ffmpeg)")
    demuxer = VIDEO_DEMUXERS.get(content_type)
    if demuxer is None:
        raise PreviewFailed(f"no poster for {content_type}")
    for seconds in (POSTER_AT, 0):  # a video shorter than POSTER_AT has no frame there
        frame = _ffmpeg_frame(ffmpeg, Path(path), demuxer, seconds, box, max_pixels, memory_bytes)
        if frame:
            return frame
    raise PreviewFailed("ffmpeg found no video frame")


def _ffmpeg_frame(ffmpeg: str, path: Path, demuxer: str, seconds: int, box: tuple[int, int],
                  max_pixels: int, memory_bytes: int | None) -> bytes:
    width, height = box
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
        # input: this local file only, read as the type its content was checked to be
        "-protocol_whitelist", "file", "-max_pixels", str(max_pixels), "-ss", str(seconds),
        "-f", demuxer, "-i", f"file:{path.resolve()}",
        # output: one frame of the first video stream, as PNG on standard output
        "-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn",
        "-vf", f"scale=w='min({width},iw)':h='min({height},ih)':force_original_aspect_ratio=decrease",  # never larger
        "-f", "image2pipe", "-c:v", "png", "pipe:1",
    ]
    return _run(limited(command, memory_bytes, VIDEO_TIMEOUT), VIDEO_TIMEOUT, "ffmpeg")


def pdf_first_page(path: Path, box: tuple[int, int]) -> bytes:
    """A PNG of the first page of the PDF at ``path``, scaled to fit ``box``."""
    width, height = box
    command = [sys.executable, "-I", str(PDF_SCRIPT), str(Path(path).resolve()), str(width), str(height)]
    return _run(command, PDF_TIMEOUT, "PDFium")


def _run(command: list[str], timeout: int, tool: str) -> bytes:
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,  # noqa: S603 - fixed program, no shell
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise PreviewFailed(f"{tool} took longer than {timeout} s") from err
    except OSError as err:
        raise PreviewFailed(f"{tool} could not be started: {err}") from err
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise PreviewFailed(f"{tool}: {reason[0][:300]}")
    if done.stdout and not done.stdout.startswith(PNG_SIGNATURE):
        raise PreviewFailed(f"{tool} did not answer a PNG")
    return done.stdout
