"""Start-up check: say plainly when Chinese cannot be printed, instead of letting PDFs show empty boxes."""

from __future__ import annotations

from typing import Any

from django.core import checks

from accord.documents import fonts


@checks.register("accord_documents")
def check_cjk_font(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if fonts.cjk_font_available("zh"):
        return []
    return [
        checks.Warning(
            fonts.missing_font_message("zh"),
            hint="Chinese PDFs are refused until a CJK font is installed; HTML and DOCX are not affected.",
            id="documents.W001",
        )
    ]
