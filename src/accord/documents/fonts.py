"""Whether this machine can print Chinese (and Japanese, Korean) with real glyphs.

WeasyPrint draws text with the fonts fontconfig knows. Without a font covering Chinese it would print
empty boxes; Accord refuses instead and says which package to install. The answer is read once per
process (fonts are installed by the operator, not at run time); `forget()` drops it for tests.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from accord.core.errors import DomainError
from accord.documents.wording import primary

# fontconfig's language names for the CJK languages, and what to tell the operator.
_FC_LANG = {"zh": "zh-cn", "ja": "ja", "ko": "ko"}
LANGUAGE_NAMES = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean"}
INSTALL_HINT = "install fonts-noto-cjk (Debian/Ubuntu: apt-get install fonts-noto-cjk) or another font covering it"
# Where fonts live when fc-list itself is missing; names of common CJK font files.
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
_CJK_FILE_HINTS = ("cjk", "wqy", "wenquanyi", "droidsansfallback", "sourcehan", "ukai", "uming", "arphic")


@functools.cache
def _fonts_for(fc_lang: str) -> tuple[str, ...]:
    """Families fontconfig lists for a language (empty when none, or when fontconfig cannot be asked)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return _font_files_by_name()
    try:
        result = subprocess.run(
            [fc_list, f":lang={fc_lang}", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return _font_files_by_name()
    return tuple(sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line.strip()}))


def _font_files_by_name() -> tuple[str, ...]:
    found = []
    for root in _FONT_DIRS:
        base = Path(root)
        if base.is_dir():
            found += [p.name for p in base.rglob("*") if any(h in p.name.lower() for h in _CJK_FILE_HINTS)]
    return tuple(sorted(found))


def cjk_fonts(language: str = "zh") -> tuple[str, ...]:
    return _fonts_for(_FC_LANG.get(primary(language), "zh-cn"))


def cjk_font_available(language: str = "zh") -> bool:
    """True when at least one installed font covers `language` (Chinese by default)."""
    return bool(cjk_fonts(language))


def forget() -> None:
    _fonts_for.cache_clear()


def missing_font_message(language: str = "zh") -> str:
    name = LANGUAGE_NAMES.get(primary(language), "CJK")
    return f"No {name} font is installed: {INSTALL_HINT}, so that {name} prints as text and not as empty boxes."


def require_fonts(languages: list[str]) -> None:
    """Refuse (DomainError) to print a language whose script no installed font covers."""
    for language in languages:
        lang = primary(language)
        if lang in _FC_LANG and not cjk_font_available(lang):
            raise DomainError(missing_font_message(lang), field="language", code="font_missing")
