"""Render the first page of a PDF to PNG on standard output, scaled to fit a box.

Run as its own process by ``previews.pdf_first_page`` (``python -I pdf_first_page.py FILE WIDTH
HEIGHT``): PDFium parses a hostile file under a memory and CPU limit, away from the app, and the
parent kills it when it takes too long.  Exit 1 with one line on standard error when the file
cannot be rendered (encrypted, damaged, no pages, a page with no area).
"""

import io
import resource
import sys

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space
CPU_SECONDS = 30


def render(path: str, box_width: int, box_height: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        if len(pdf) < 1:
            raise ValueError("the PDF has no pages")
        page = pdf[0]
        width, height = page.get_size()  # points
        if not (width >= 1 and height >= 1):
            raise ValueError("the first page has no area")
        scale = min(box_width / width, box_height / height)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG")
        return out.getvalue()
    finally:
        pdf.close()


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    try:
        png = render(argv[1], int(argv[2]), int(argv[3]))
    except Exception as err:  # one line for the parent's log: the file is what failed, not us
        print(f"{type(err).__name__}: {err}".splitlines()[0][:300], file=sys.stderr)
        return 1
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
