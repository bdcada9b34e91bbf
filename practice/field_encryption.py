"""Model fields whose values the database holds only encrypted.

Each field is the Django field it is named for (its form field, choices, validators and
admin display are that field's) but stores a Fernet token in a text column: the value as
JSON, encrypted with the first of FIELD_ENCRYPTION_KEYS. Any of the keys decrypts, so a
new key can go first while the old ones still read what they wrote (`manage.py
rotate_field_keys`). NULL stays NULL.

The database sees only tokens, so it can tell whether a value is there (`isnull`) and
nothing else: any other lookup or transform raises FieldError rather than compare
tokens. Filter, search and sort on plain fields; never order by one of these.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.utils.functional import cached_property


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key) for key in keys]
    return fernets[0], MultiFernet(fernets)


def current_fernets() -> tuple[Fernet, MultiFernet]:
    """The first key alone, and every key in turn."""
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: object) -> str:
    return current_fernets()[1].encrypt(json.dumps(value).encode()).decode()


def decrypt(token: str) -> object:
    try:
        return json.loads(current_fernets()[1].decrypt(token.encode()))
    except InvalidToken:
        raise ImproperlyConfigured(
            "A value in the database decrypts with none of FIELD_ENCRYPTION_KEYS: put back "
            "the key it was written with (after the new one) until rotate_field_keys has run."
        ) from None


def rotated(token: str) -> str | None:
    """`token` encrypted with the first key; None when it already is."""
    first, every = current_fernets()
    try:
        first.decrypt(token.encode())
        return None
    except InvalidToken:
        decrypt(token)  # raises, saying what to mend, when no key reads it
        return every.rotate(token.encode()).decode()


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedField)]


def rotate_keys(model: type[models.Model], *, batch_size: int = 500) -> int:
    """Encrypt with the first key every value of `model` that another key encrypted; how many.

    A batch at a time, its rows locked, so that a value saved meanwhile is never
    overwritten with the one read before it.
    """
    fields = encrypted_fields(model)
    tokens = {f"token_{field.name}": Cast(field.name, models.TextField()) for field in fields}
    rows = model._base_manager.annotate(**tokens).order_by("pk")
    done, last_pk = 0, None
    while fields:
        with transaction.atomic():
            after = rows if last_pk is None else rows.filter(pk__gt=last_pk)
            batch = list(after.select_for_update().values_list("pk", *tokens)[:batch_size])
            if not batch:
                break
            for pk, *row_tokens in batch:
                changed = {
                    field.name: models.Value(new, output_field=models.TextField())
                    for field, token in zip(fields, row_tokens, strict=True)
                    if token is not None and (new := rotated(token)) is not None
                }
                if changed:
                    model._base_manager.filter(pk=pk).update(**changed)
                    done += len(changed)
            last_pk = batch[-1][0]
    return done


class EncryptedField:
    """Mixed into a Django field, before it: the column is text and holds the value's token."""

    def get_internal_type(self):
        # The column's type, for the schema editor and the database's own checks; the
        # field keeps its class, so forms, choices and the admin treat it as before.
        return "TextField"

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return None if value is None else encrypt(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class EncryptedBooleanField(EncryptedField, models.BooleanField):
    pass


class EncryptedPositiveSmallIntegerField(EncryptedField, models.PositiveSmallIntegerField):
    @cached_property
    def validators(self):
        # IntegerField looks its range up by the internal type, here the column's (text).
        low, high = connection.ops.integer_field_range("PositiveSmallIntegerField")
        return [*self._validators, MinValueValidator(low), MaxValueValidator(high)]


class EncryptedCharField(EncryptedField, models.CharField):
    pass


class EncryptedTextField(EncryptedField, models.TextField):
    pass


class EncryptedJSONField(EncryptedField, models.JSONField):
    pass
