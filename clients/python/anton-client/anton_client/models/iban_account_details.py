from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.iban_account_details_type import IbanAccountDetailsType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="IbanAccountDetails")



@_attrs_define
class IbanAccountDetails:
    """ A SEPA account, identified by its IBAN, paid in EUR.

        Attributes:
            iban (str): The IBAN, in electronic (`DE89370400440532013000`) or print form (with spaces), any
                case; checked for its country's length, its format and its check digits
                (`invalid_iban`).
            type_ (IbanAccountDetailsType): The kind of account: `iban`.
            bic (None | str | Unset): The bank's BIC, optional: 8 or 11 characters — 4-letter bank code, 2-letter country,
                2-character location, optional 3-character branch — any case (`invalid_bic`).
     """

    iban: str
    type_: IbanAccountDetailsType
    bic: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        iban = self.iban

        type_ = self.type_.value

        bic: None | str | Unset
        if isinstance(self.bic, Unset):
            bic = UNSET
        else:
            bic = self.bic


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "iban": iban,
            "type": type_,
        })
        if bic is not UNSET:
            field_dict["bic"] = bic

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        iban = d.pop("iban")

        type_ = IbanAccountDetailsType(d.pop("type"))




        def _parse_bic(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bic = _parse_bic(d.pop("bic", UNSET))


        iban_account_details = cls(
            iban=iban,
            type_=type_,
            bic=bic,
        )

        return iban_account_details

