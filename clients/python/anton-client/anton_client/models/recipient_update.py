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





T = TypeVar("T", bound="RecipientUpdate")



@_attrs_define
class RecipientUpdate:
    """ Changes to a recipient: absent fields (and `null` ones, `email` aside) stay as they are.
    `recipient.updated` says what changed.

        Attributes:
            name (None | str | Unset): A new name (as at creation), or absent.
            email (None | str | Unset): A new email address, or `null` to remove it.
            bank_account (GbFpsAccountDetails | IbanAccountDetails | None | Unset | UsAchAccountDetails): A new bank
                account, replacing the current one (it gets a new `last4` and
                `fingerprint`; existing payouts are not affected).
            metadata (Metadata | None | Unset): New metadata, replacing the whole object.
     """

    name: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    bank_account: GbFpsAccountDetails | IbanAccountDetails | None | Unset | UsAchAccountDetails = UNSET
    metadata: Metadata | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gb_fps_account_details import GbFpsAccountDetails # noqa: PLC0415
        from ..models.iban_account_details import IbanAccountDetails # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        from ..models.us_ach_account_details import UsAchAccountDetails # noqa: PLC0415
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        bank_account: dict[str, Any] | None | Unset
        if isinstance(self.bank_account, Unset):
            bank_account = UNSET
        elif isinstance(self.bank_account, UsAchAccountDetails):
            bank_account = self.bank_account.to_dict()
        elif isinstance(self.bank_account, IbanAccountDetails):
            bank_account = self.bank_account.to_dict()
        elif isinstance(self.bank_account, GbFpsAccountDetails):
            bank_account = self.bank_account.to_dict()
        else:
            bank_account = self.bank_account

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, Metadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if name is not UNSET:
            field_dict["name"] = name
        if email is not UNSET:
            field_dict["email"] = email
        if bank_account is not UNSET:
            field_dict["bank_account"] = bank_account
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
        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))


        def _parse_bank_account(data: object) -> GbFpsAccountDetails | IbanAccountDetails | None | Unset | UsAchAccountDetails:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
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
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_bank_account_details_type_2 = GbFpsAccountDetails.from_dict(data)



                return componentsschemas_bank_account_details_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GbFpsAccountDetails | IbanAccountDetails | None | Unset | UsAchAccountDetails, data)

        bank_account = _parse_bank_account(d.pop("bank_account", UNSET))


        def _parse_metadata(data: object) -> Metadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_1 = Metadata.from_dict(data)



                return metadata_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Metadata | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))


        recipient_update = cls(
            name=name,
            email=email,
            bank_account=bank_account,
            metadata=metadata,
        )

        return recipient_update

