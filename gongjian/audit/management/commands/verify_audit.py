from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongjian.audit.archive import check_file
from gongjian.audit.verify import hash_of, verify_trail


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain from its first entry (or the last archive) to "
        "its last; exit 1 naming the first entry that was changed, deleted or inserted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--archives",
            action="store_true",
            help="also verify every archive file in AUDIT_ARCHIVE_DIR against its record",
        )
        parser.add_argument(
            "--file",
            action="append",
            default=[],
            type=Path,
            help="verify only this archive file, on its own (repeatable; no database needed)",
        )
        parser.add_argument(
            "--anchor",
            help="SEQ:HASH printed by an earlier run and kept elsewhere: entry SEQ must still "
            "have this hash (catches a trail rewritten from some entry on, hashes included)",
        )

    def handle(self, archives, file, anchor, **options):
        if file:
            self._check_files(file)
            return
        directory = settings.AUDIT_ARCHIVE_DIR
        result = verify_trail(archive_dir=directory, check_files=archives)
        if result.problem:
            raise CommandError(f"The audit trail is broken: {result.problem}")
        if anchor:
            self._check_anchor(anchor, directory)
        self.stdout.write(
            f"The audit trail holds: {result.live} live entries after {result.archives} "
            f"archive(s); last entry no. {result.last_seq}, hash {result.last_hash}"
        )
        self.stdout.write(f"Anchor for a later run: --anchor {result.last_seq}:{result.last_hash}")

    def _check_files(self, paths):
        for path in paths:
            checked = check_file(path)
            if checked.problem:
                raise CommandError(f"{path}: {checked.problem}")
            walked = checked.walk
            self.stdout.write(
                f"{path}: {walked.count} entries, no. {checked.first_seq}–{walked.last_seq}, "
                f"last hash {walked.last_hash}"
            )

    def _check_anchor(self, anchor: str, directory: Path):
        seq_text, _colon, expected = anchor.partition(":")
        if not seq_text.isascii() or not seq_text.isdigit() or len(expected) != 64:
            raise CommandError("--anchor takes SEQ:HASH, e.g. 1200:3f5a…(64 hex digits)")
        found = hash_of(int(seq_text), directory)
        if found != expected:
            raise CommandError(
                f"The audit trail was rewritten: entry no. {seq_text} "
                + ("is gone" if found is None else f"now has hash {found}, not {expected}")
            )
