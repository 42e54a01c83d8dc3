"""accord document KIND REF --lang L --format html|pdf|docx -o FILE [--layout ...] [--with-english] [--store]
[--party P];
accord document status|approve|publish DOCUMENT [--party P]: a stored document's publication."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.core.refs import find
from accord.directory.models import Party
from accord.documents import services
from accord.documents.models import Document
from accord.documents.renderers import FORMATS, KINDS, Options, render_document
from accord.documents.services import generate_document

# Verbs on a stored document (REF: the document's id or uid), beside the kinds to generate.
VERBS = ("status", "approve", "publish")


class Command(AccordCommand):
    help = (
        "Write a document generated from the records (communiqué or minutes of a meeting, text of a plan, "
        "review report) to a file; or show, approve or publish a stored document "
        "(accord document status|approve|publish DOCUMENT [--party CODE])."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = "; ".join(f"{name}: {kind.description}" for name, kind in sorted(KINDS.items()))
        parser.add_argument(
            "kind", help=f"what to generate ({kinds}); or status, approve, publish (REF: a stored document)"
        )
        parser.add_argument("ref", help="the record (for a verb: the document): its id or its global id (uid)")
        parser.add_argument(
            "--lang",
            default=None,
            help="language tag (zh, ru, en); for a plan text also several joined by + (zh+ru) "
            "or 'authentic' (the default there: the agreement's authentic languages)",
        )
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="html")
        parser.add_argument("-o", "--output", help="file to write ('-' for standard output); needed to generate")
        parser.add_argument("--layout", choices=("parallel", "sequential"), default="parallel")
        parser.add_argument("--with-english", action="store_true", help="add an English version after the others")
        parser.add_argument(
            "--store",
            action="store_true",
            help="also store it as a Document with hashes (audited): a draft, the --party's or the parties' shared one",
        )
        parser.add_argument(
            "--party",
            default=None,
            help="the party (code) approving, with approve; with --store, the party whose draft it is "
            "(without it the draft is shared by the parties of the agreement)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["kind"] in VERBS:
            return self.publication(opts)
        if not opts["output"]:
            raise CommandError("-o/--output is required: the file to write ('-' for standard output)")
        try:
            if opts["store"]:
                generated = generate_document(
                    opts["kind"],
                    opts["ref"],
                    opts["lang"],
                    opts["fmt"],
                    layout=opts["layout"],
                    with_english=opts["with_english"],
                    party=self.party(opts) if opts["party"] else None,
                )
                data = generated.data or b""
                stored = f" (stored as document {generated.document.uid})"
                for finding in generated.language_findings():
                    self.stderr.write(f"warning: the language versions disagree: {finding.message}")
            else:
                options = Options(layout=opts["layout"], with_english=opts["with_english"])
                data = render_document(opts["kind"], opts["ref"], opts["lang"], opts["fmt"], options=options).data
                stored = ""
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        output = opts["output"]
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        self.stdout.write(f"Wrote {output} ({len(data):,} bytes){stored}")

    def party(self, opts: dict[str, Any]) -> Party:
        code = (opts["party"] or "").strip().upper()
        party = Party.objects.filter(code=code).first()
        if party is None:
            raise CommandError(f"--party: no party {opts['party']!r}" if code else "--party: name the party (CN, SU)")
        return party

    def publication(self, opts: dict[str, Any]) -> None:
        """status, approve or publish the stored document REF; a refusal changes nothing and says why."""
        try:
            document = find(Document.objects.all(), opts["ref"], "document")
            if opts["kind"] == "approve":
                services.approve_document(document, self.party(opts))
            elif opts["kind"] == "publish":
                services.publish_document(document)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        document.refresh_from_db()
        state = services.publication_state(document)
        self.stdout.write(f"{document} (document {document.pk}, {document.uid})")
        if document.is_published:
            assert document.published_at is not None
            self.stdout.write(f"published on {document.published_at:%Y-%m-%d %H:%M} UTC")
        else:
            awaiting = ", ".join(p.code for p in state.awaiting) or "nobody: ready to publish"
            self.stdout.write(f"draft ({document.get_visibility_display()}); awaiting {awaiting}")
        for approval in state.approved:
            when = f"{approval.approved_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"approved by {approval.party.code} on {when} ({approval.approved_by_name})")
        for approval in state.earlier:
            self.stdout.write(f"an earlier text was approved by {approval.party.code}; that approval no longer counts")
