"""Plot helpers shared by the CLI, the report and the notebooks.

Chinese labels need a CJK font. :func:`use_cjk_font` registers the Noto Sans CJK SC
font shipped by the ``mplfonts`` package with matplotlib, so labels such as
``复星诊断`` render on a machine without system CJK fonts (no missing-glyph boxes).
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["MEMBER_KIND_COLOURS", "cjk_font_path", "use_cjk_font"]

#: Colour per member kind, used by every plot that colours members.
MEMBER_KIND_COLOURS: dict[str, str] = {
    "lead_enterprise": "#c0392b",
    "enterprise": "#e67e22",
    "university": "#2e86c1",
    "research_institute": "#17a589",
    "hospital": "#8e44ad",
    "government": "#7f8c8d",
    "investor": "#b7950b",
    "industrial_park": "#5d6d7e",
}

_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")


def cjk_font_path() -> Path | None:
    """Path of a bundled CJK font file, or ``None`` if ``mplfonts`` is not installed."""
    try:
        import mplfonts
    except ImportError:
        return None
    folder = Path(mplfonts.__file__).parent / "fonts"
    for name in _FONT_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


@functools.cache
def use_cjk_font() -> str | None:
    """Register a CJK font with matplotlib and put it first in the sans-serif list.

    Returns the font family name, or ``None`` when no CJK font is available (labels
    then fall back to the default font). Safe to call many times.

    >>> name = use_cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    path = cjk_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.sans-serif"] = [family, *current]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False
    return family
