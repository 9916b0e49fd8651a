"""PDF by LibreOffice: ``soffice --headless --convert-to pdf`` on a Word file.

LibreOffice is optional: :func:`soffice` finds it on the ``PATH`` (``soffice`` or
``libreoffice``) and :func:`docx_to_pdf` raises :class:`~agreements.errors.AgreementError`
with what to install when it is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import AgreementError

__all__ = ["docx_to_pdf", "soffice"]


def soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (or ``libreoffice``), or ``None``."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, timeout: float = 300.0) -> bytes:
    """A Word document (bytes) converted to PDF (bytes) by headless LibreOffice.

    Raises
    ------
    AgreementError
        When LibreOffice is not installed, or the conversion fails or times out.
    """
    exe = soffice()
    if exe is None:
        raise AgreementError(
            "--format pdf needs LibreOffice (soffice) on the PATH; install it (e.g. "
            "apt-get install libreoffice-writer-nogui fonts-noto-cjk) or write --format "
            "docx and convert it in Word")
    with tempfile.TemporaryDirectory(prefix="consortium-pdf-") as tmp:
        src = Path(tmp) / "agreement.docx"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"  # a private profile: runs beside an open LibreOffice
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--convert-to", "pdf", "--outdir", tmp, str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise AgreementError(f"LibreOffice did not finish within {timeout:.0f} s") \
                from None
        out = Path(tmp) / "agreement.pdf"
        if done.returncode != 0 or not out.is_file():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise AgreementError(f"LibreOffice could not convert the document to PDF: "
                                 f"{detail.splitlines()[-1] if detail else 'no output'}")
        return out.read_bytes()
