"""``consortium agreement``: the draft formation agreement, ready to send.

::

    consortium agreement FILE [--lang zh|en|zh+en] [--format docx|pdf|md|html|xlsx]
                              [-o OUT] [--template firm.docx]
                              [--wording-zh zh.yaml] [--wording-en en.yaml]

Word, PDF and Excel need ``-o``; Markdown and HTML go to stdout without it. The
redline of two versions is ``consortium redline OLD NEW --format docx`` (Word tracked
changes), see :mod:`agreements.cli.clauses`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import CliError, atomic_output, load_or_fail, note

__all__: list[str] = []  # commands only: registered by agreements.cli

FORMATS = ("docx", "pdf", "md", "html", "xlsx")
_BINARY = ("docx", "pdf", "xlsx")


def _format(fmt: str | None, output: str | None, choices: tuple[str, ...]) -> str:
    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        suffix = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
        if suffix in choices:
            return suffix
        raise CliError(f"cannot tell the format from {output!r}; use --format "
                       f"{'|'.join(choices)}", 2)
    return "md"


def document(path: str, lang: str, wording: dict[str, str] | None = None) -> Any:
    """The document model of one scenario file (errors as :class:`CliError`)."""
    from sharing_models.exceptions import ConsortiumError

    from ..clauses.document import agreement_document

    agreement = load_or_fail(path)
    try:
        return agreement_document(agreement, lang, wording)
    except ConsortiumError as exc:
        raise CliError(f"{path}: cannot draft the agreement: {exc}", 1) from None
    except Exception as exc:  # a firm's wording file with a bad template
        from jinja2 import TemplateError

        if isinstance(exc, TemplateError | KeyError | IndexError | TypeError):
            raise CliError(f"wording file: {type(exc).__name__}: {exc}", 1) from None
        raise


def render(fmt: str, new: Any, *, old: Any = None, template: str | None = None,
           record: dict[str, str] | None = None) -> bytes:
    """Bytes of the document (or the redline of ``old`` -> ``new``) in ``fmt``."""
    from ..errors import AgreementError
    from ..scenario.provenance import provenance_footer

    footer = provenance_footer(record) if record else ""
    if fmt in ("md", "html"):
        from ..clauses.agreement_text import agreement_text

        return agreement_text(new, fmt, old=old, footer=footer).encode("utf-8")
    if fmt == "xlsx":
        from ..clauses.agreement_xlsx import agreement_xlsx

        return agreement_xlsx(new, record=record)
    from ..clauses.agreement_docx import agreement_docx, redline_docx

    if old is not None:
        created = (record or {}).get("created", "2000-01-01T00:00:00Z")
        data = redline_docx(old, new, template=template, record=record, date=created)
    else:
        data = agreement_docx(new, template=template, record=record)
    if fmt == "pdf":
        from ..clauses.pdf import docx_to_pdf

        try:
            return docx_to_pdf(data)
        except AgreementError as exc:
            raise CliError(str(exc), 1) from None
    return data


def write(data: bytes, fmt: str, output: str | None, inputs: list[str]) -> None:
    """``data`` to ``output`` (all or nothing) or, for text formats, to stdout."""
    if output is None:
        if fmt in _BINARY:
            raise CliError(f"--format {fmt} is a binary file: give -o OUT", 2)
        text = data.decode("utf-8")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        with atomic_output(output, inputs) as tmp:
            Path(tmp).write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}", 1) from None
    note(f"wrote {output}")


def _wording(args: argparse.Namespace) -> dict[str, str]:
    return {lg: p for lg, p in (("zh", args.wording_zh), ("en", args.wording_en)) if p}


def _check_template(template: str | None) -> None:
    import zipfile

    if template is None:
        return
    if not Path(template).is_file():
        raise CliError(f"--template {template}: no such file", 2)
    try:
        with zipfile.ZipFile(template) as z:
            z.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise CliError(f"--template {template}: not a Word (.docx) file", 1) from None


def _check_wording(wording: dict[str, str]) -> None:
    for lg, path in wording.items():
        if not Path(path).is_file():
            raise CliError(f"--wording-{lg} {path}: no such file", 2)


def cmd_agreement(args: argparse.Namespace) -> int:
    """Write the draft formation agreement of one scenario."""
    from ..scenario.provenance import provenance

    fmt = _format(args.format, args.output, FORMATS)
    _check_template(args.template)
    wording = _wording(args)
    _check_wording(wording)
    new = document(args.file, args.lang, wording)
    record = provenance([args.file, *wording.values()], lang=args.lang)
    write(render(fmt, new, template=args.template, record=record), fmt, args.output,
          [args.file])
    return 0


def add_agreement_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``consortium agreement``."""
    p = subparsers.add_parser(
        "agreement", help="draft formation agreement (Word, PDF, Markdown, HTML, Excel)",
        description="Write a complete draft consortium formation agreement: parties, "
                    "recitals, numbered articles and clauses, schedules and signatures, "
                    "in Chinese, English or both, from the clause wording files.")
    p.add_argument("file", metavar="FILE", help="scenario file")
    p.add_argument("--lang", choices=("zh", "en", "zh+en"), default="zh+en",
                   help="language: zh, en, or zh+en (each clause in Chinese, then English; "
                        "default)")
    p.add_argument("--format", "-f", choices=FORMATS, default=None,
                   help="output format (default: from the -o suffix, else md); pdf needs "
                        "LibreOffice; xlsx holds the schedules")
    p.add_argument("-o", "--output", default=None, help="output file (default: stdout)")
    p.add_argument("--template", default=None, metavar="FIRM.docx",
                   help="a firm's Word file: its styles, numbering and page set-up; with "
                        "Jinja tags it is filled by docxtpl (see docs/clauses.md)")
    p.add_argument("--wording-zh", default=None, metavar="YAML",
                   help="a firm's own Chinese clause wording (layout of the packaged "
                        "agreements/clauses/wording/zh.yaml)")
    p.add_argument("--wording-en", default=None, metavar="YAML",
                   help="a firm's own English clause wording")
    p.set_defaults(func=cmd_agreement)
