"""The backup file: a tar of the manifest, the database's dump and MEDIA_ROOT, encrypted
with age (pyrage) to BACKUP_KEY's recipient.

age is authenticated and chunked: a file cut short, a changed byte or another key is
refused before a byte of it is used. The tar is streamed through the encryption, so a
large media folder is neither held in memory nor copied unencrypted to the disk.
"""

import io
import json
import os
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pyrage
from pyrage import x25519

from . import BackupError

MANIFEST = "manifest.json"
DATABASE_DUMP = "database.dump"
MEDIA = "media"
FORMAT = 1
# How every age file begins: anything else is not a backup at all.
AGE_MAGIC = b"age-encryption.org/v1\n"


def new_key():
    """A new BACKUP_KEY: an age secret key (an X25519 identity), one line."""
    return str(x25519.Identity.generate())


def key_identity(key):
    if not key:
        raise BackupError(
            "BACKUP_KEY is not set: backups are encrypted with it, and none can be taken or "
            "restored without it. Make one with `manage.py backup --new-key`, put it in the "
            "environment, and keep a copy somewhere safe off this machine."
        )
    try:
        return x25519.Identity.from_str(key)
    except pyrage.IdentityError:
        raise BackupError(
            "BACKUP_KEY is not an age secret key (one line starting AGE-SECRET-KEY-1, as "
            "`manage.py backup --new-key` prints)."
        ) from None


def write(destination, *, recipient, manifest, database_dump, media_root):
    """Encrypt the archive into the open file `destination`."""
    read_end, write_end = os.pipe()
    failures = []

    def write_tar():
        try:
            with open(write_end, "wb") as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
                content = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(content)
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(content))
                tar.add(database_dump, arcname=DATABASE_DUMP)
                if media_root.is_dir():
                    tar.add(media_root, arcname=MEDIA)
        except BaseException as error:  # reported in the caller's thread
            failures.append(error)

    writer = threading.Thread(target=write_tar, name="backup-tar")
    writer.start()
    try:
        # Closing the read end when encryption fails ends the writer with a broken pipe.
        with open(read_end, "rb") as source:
            pyrage.encrypt_io(source, destination, [recipient])
    finally:
        writer.join()
    if failures:
        raise failures[0]


@dataclass(frozen=True)
class OpenedArchive:
    manifest: dict
    tar_path: Path
    database_dump: Path


def open_verified(path, *, identity, work):
    """Decrypt `path` into the folder `work` and check it holds a backup of the site."""
    plain = work / "archive.tar"
    with open(path, "rb") as source:
        if source.read(len(AGE_MAGIC)) != AGE_MAGIC:
            raise BackupError(f"{path.name} is not a backup of the site (not an age file).")
        source.seek(0)
        with open(plain, "wb") as sink:
            _decrypt(source, sink, identity=identity, name=path.name)
    try:
        with tarfile.open(plain, "r:") as tar:
            manifest = json.load(tar.extractfile(MANIFEST))
            tar.extract(DATABASE_DUMP, work, filter="data")
    except (KeyError, tarfile.TarError, ValueError, AttributeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path.name} opens with BACKUP_KEY but holds no backup of the site.")
    return OpenedArchive(manifest=manifest, tar_path=plain, database_dump=work / DATABASE_DUMP)


def _decrypt(source, sink, *, identity, name):
    try:
        pyrage.decrypt_io(source, sink, [identity])
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            raise BackupError(
                f"{name} was encrypted with another key: BACKUP_KEY does not open it. "
                "Set BACKUP_KEY to the key the backup was taken with."
            ) from None
        raise damaged(name) from None
    except OSError as error:
        # age's own failures carry no errno; the disk's (full, unreadable) do.
        if error.errno is not None:
            raise
        raise damaged(name) from None


def damaged(name):
    return BackupError(
        f"{name} is damaged: it is cut short (an incomplete copy) or was changed after it "
        "was written, so it cannot be trusted. Use another copy of the backup."
    )


def extract_media(tar_path, media_root):
    """Unpack the media into `media_root`; return how many files."""
    media_root.mkdir(parents=True, exist_ok=True)
    prefix = f"{MEDIA}/"
    with tarfile.open(tar_path, "r:") as tar:
        members = []
        for member in tar:
            if member.name.startswith(prefix):
                member.name = member.name.removeprefix(prefix)
                members.append(member)
        tar.extractall(media_root, members=members, filter="data")
    return sum(1 for member in members if member.isfile())
