from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.ach_account_type import AchAccountType
from ..models.bank_account_type import BankAccountType
from ..models.currency import Currency
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="BankAccount")



@_attrs_define
class BankAccount:
    """ A recipient's bank account as the API shows it: never the full account number (it is stored
    encrypted and never returned or logged), only its last four characters and a fingerprint.

        Attributes:
            type_ (BankAccountType): The kind of bank account, which decides the currency it is paid in: `us_ach` (USD),
                `iban` (EUR, SEPA) or `gb_fps` (GBP, UK Faster Payments).
            country (str): The account's country (ISO 3166-1 alpha-2): `US`, `GB`, or the IBAN's country.
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
            last4 (str): The last four characters of the account number (of the IBAN, for `iban`).
            fingerprint (str): A keyed hash of the account (32 hex characters), the same for the same account within
                one merchant: use it to find recipients that share an account.
            bank_code (None | str | Unset): The bank, not secret: the routing number (`us_ach`), the BIC or else the IBAN's
                bank
                code (`iban`), the sort code (`gb_fps`).
            account_type (AchAccountType | Unset): A US ACH account's type.
     """

    type_: BankAccountType
    country: str
    currency: Currency
    last4: str
    fingerprint: str
    bank_code: None | str | Unset = UNSET
    account_type: AchAccountType | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        country = self.country

        currency = self.currency.value

        last4 = self.last4

        fingerprint = self.fingerprint

        bank_code: None | str | Unset
        if isinstance(self.bank_code, Unset):
            bank_code = UNSET
        else:
            bank_code = self.bank_code

        account_type: str | Unset = UNSET
        if not isinstance(self.account_type, Unset):
            account_type = self.account_type.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "type": type_,
            "country": country,
            "currency": currency,
            "last4": last4,
            "fingerprint": fingerprint,
        })
        if bank_code is not UNSET:
            field_dict["bank_code"] = bank_code
        if account_type is not UNSET:
            field_dict["account_type"] = account_type

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = BankAccountType(d.pop("type"))




        country = d.pop("country")

        currency = Currency(d.pop("currency"))




        last4 = d.pop("last4")

        fingerprint = d.pop("fingerprint")

        def _parse_bank_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bank_code = _parse_bank_code(d.pop("bank_code", UNSET))


        _account_type = d.pop("account_type", UNSET)
        account_type: AchAccountType | Unset
        if isinstance(_account_type,  Unset):
            account_type = UNSET
        else:
            account_type = AchAccountType(_account_type)




        bank_account = cls(
            type_=type_,
            country=country,
            currency=currency,
            last4=last4,
            fingerprint=fingerprint,
            bank_code=bank_code,
            account_type=account_type,
        )


        bank_account.additional_properties = d
        return bank_account

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
