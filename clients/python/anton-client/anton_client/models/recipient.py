from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.recipient_object import RecipientObject
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.bank_account import BankAccount
  from ..models.metadata import Metadata





T = TypeVar("T", bound="Recipient")



@_attrs_define
class Recipient:
    """ A recipient: someone you pay — a name, an optional email, one bank account and your
    metadata.

        Attributes:
            id (str): The id of a recipient: `rcp_` and 24 base62 characters (time-ordered). A malformed id in a path is a
                404; in a filter, a 400.
            object_ (RecipientObject): What kind of object this is: always `recipient`.
            name (str): The recipient's name (1 to 200 characters, NFC-normalized).
            bank_account (BankAccount): A recipient's bank account as the API shows it: never the full account number (it is
                stored
                encrypted and never returned or logged), only its last four characters and a fingerprint.
            metadata (Metadata): Your own key-value pairs, stored and returned as sent: at most 50 pairs, keys of 1 to 40
                characters, string values of at most 500 characters (`metadata_invalid` otherwise). Keys refuse control,
                bidirectional-formatting and zero-width characters, values only control characters
                (`parameter_invalid_characters`). Never put secrets or full account numbers here.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            email (None | str | Unset): The recipient's email address, or `null`.
     """

    id: str
    object_: RecipientObject
    name: str
    bank_account: BankAccount
    metadata: Metadata
    created: datetime.datetime
    livemode: bool
    email: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_account import BankAccount # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        name = self.name

        bank_account = self.bank_account.to_dict()

        metadata = self.metadata.to_dict()

        created = self.created.isoformat()

        livemode = self.livemode

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "name": name,
            "bank_account": bank_account,
            "metadata": metadata,
            "created": created,
            "livemode": livemode,
        })
        if email is not UNSET:
            field_dict["email"] = email

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bank_account import BankAccount # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = RecipientObject(d.pop("object"))




        name = d.pop("name")

        bank_account = BankAccount.from_dict(d.pop("bank_account"))




        metadata = Metadata.from_dict(d.pop("metadata"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))


        recipient = cls(
            id=id,
            object_=object_,
            name=name,
            bank_account=bank_account,
            metadata=metadata,
            created=created,
            livemode=livemode,
            email=email,
        )


        recipient.additional_properties = d
        return recipient

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
