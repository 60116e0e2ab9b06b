from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.gb_fps_account_details import GbFpsAccountDetails
  from ..models.iban_account_details import IbanAccountDetails
  from ..models.metadata import Metadata
  from ..models.us_ach_account_details import UsAchAccountDetails





T = TypeVar("T", bound="RecipientCreate")



@_attrs_define
class RecipientCreate:
    """ A new recipient: a name, an optional email, one bank account and your metadata.

        Attributes:
            name (str): The recipient's name: 1 to 200 characters as sent, not only whitespace
                (`parameter_invalid`); no control, bidirectional-formatting or zero-width characters
                (`parameter_invalid_characters`). Stored NFC-normalized, surrounding whitespace trimmed.
            bank_account (GbFpsAccountDetails | IbanAccountDetails | UsAchAccountDetails): A bank account as the client
                sends it, by `type`: the full details, parsed and checked when
                given. The account number is stored encrypted and never returned or logged: responses show
                the `BankAccount` view, with `last4` and a `fingerprint`. The kind decides the currency
                payouts to it are made in.
            email (None | str | Unset): The recipient's email address (at most 254 bytes, `local@domain.tld`;
                `email_invalid`),
                or `null` for none.
            metadata (Metadata | Unset): Your own key-value pairs, stored and returned as sent: at most 50 pairs, keys of 1
                to 40 characters, string values of at most 500 characters (`metadata_invalid` otherwise). Keys refuse control,
                bidirectional-formatting and zero-width characters, values only control characters
                (`parameter_invalid_characters`). Never put secrets or full account numbers here.
     """

    name: str
    bank_account: GbFpsAccountDetails | IbanAccountDetails | UsAchAccountDetails
    email: None | str | Unset = UNSET
    metadata: Metadata | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gb_fps_account_details import GbFpsAccountDetails # noqa: PLC0415
        from ..models.iban_account_details import IbanAccountDetails # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        from ..models.us_ach_account_details import UsAchAccountDetails # noqa: PLC0415
        name = self.name

        bank_account: dict[str, Any]
        if isinstance(self.bank_account, UsAchAccountDetails):
            bank_account = self.bank_account.to_dict()
        elif isinstance(self.bank_account, IbanAccountDetails):
            bank_account = self.bank_account.to_dict()
        else:
            bank_account = self.bank_account.to_dict()


        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "bank_account": bank_account,
        })
        if email is not UNSET:
            field_dict["email"] = email
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gb_fps_account_details import GbFpsAccountDetails # noqa: PLC0415
        from ..models.iban_account_details import IbanAccountDetails # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        from ..models.us_ach_account_details import UsAchAccountDetails # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_bank_account(data: object) -> GbFpsAccountDetails | IbanAccountDetails | UsAchAccountDetails:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_bank_account_details_type_0 = UsAchAccountDetails.from_dict(data)



                return componentsschemas_bank_account_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_bank_account_details_type_1 = IbanAccountDetails.from_dict(data)



                return componentsschemas_bank_account_details_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_bank_account_details_type_2 = GbFpsAccountDetails.from_dict(data)



            return componentsschemas_bank_account_details_type_2

        bank_account = _parse_bank_account(d.pop("bank_account"))


        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))


        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata,  Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)




        recipient_create = cls(
            name=name,
            bank_account=bank_account,
            email=email,
            metadata=metadata,
        )

        return recipient_create

