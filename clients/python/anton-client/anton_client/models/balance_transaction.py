from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.balance_transaction_object import BalanceTransactionObject
from ..models.balance_transaction_type import BalanceTransactionType
from ..models.currency import Currency
from ..models.ledger_account import LedgerAccount
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="BalanceTransaction")



@_attrs_define
class BalanceTransaction:
    """ A balance transaction: one balanced ledger posting, which debits one account and credits
    another by the same amount. Postings are never changed (docs/reference.md §3).

        Attributes:
            id (str): The id of a balance transaction: `txn_` and 24 base62 characters (time-ordered). A malformed id in a
                path is a 404; in a filter, a 400.
            object_ (BalanceTransactionObject): What kind of object this is: always `balance_transaction`.
            type_ (BalanceTransactionType): What caused a ledger posting (debit → credit):
                - `funding`: money came in (funding → available)
                - `payout`: a payout was created and its amount reserved (available → in_flight)
                - `payout_paid`: a payout was paid (in_flight → paid_out)
                - `payout_release`: a payout failed or was canceled (in_flight → available)
                - `payout_return`: the bank returned a paid payout (paid_out → available)
            amount (int): An amount in the currency's minor unit (cents, pence): a positive integer, at most 10000000000000
                (`amount_too_small`, `amount_too_large`). Never a float.
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
            debit (LedgerAccount): A ledger account, per merchant, environment and currency: `available` (can be paid out),
                `in_flight` (reserved by payouts not yet paid or released), `paid_out` (paid to recipients) and `funding` (money
                that came from outside).
            credit (LedgerAccount): A ledger account, per merchant, environment and currency: `available` (can be paid out),
                `in_flight` (reserved by payouts not yet paid or released), `paid_out` (paid to recipients) and `funding` (money
                that came from outside).
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            source (None | str | Unset): The payout that caused the posting, or `null` (funding).
     """

    id: str
    object_: BalanceTransactionObject
    type_: BalanceTransactionType
    amount: int
    currency: Currency
    debit: LedgerAccount
    credit: LedgerAccount
    created: datetime.datetime
    livemode: bool
    source: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        type_ = self.type_.value

        amount = self.amount

        currency = self.currency.value

        debit = self.debit.value

        credit = self.credit.value

        created = self.created.isoformat()

        livemode = self.livemode

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "type": type_,
            "amount": amount,
            "currency": currency,
            "debit": debit,
            "credit": credit,
            "created": created,
            "livemode": livemode,
        })
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = BalanceTransactionObject(d.pop("object"))




        type_ = BalanceTransactionType(d.pop("type"))




        amount = d.pop("amount")

        currency = Currency(d.pop("currency"))




        debit = LedgerAccount(d.pop("debit"))




        credit = LedgerAccount(d.pop("credit"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))


        balance_transaction = cls(
            id=id,
            object_=object_,
            type_=type_,
            amount=amount,
            currency=currency,
            debit=debit,
            credit=credit,
            created=created,
            livemode=livemode,
            source=source,
        )


        balance_transaction.additional_properties = d
        return balance_transaction

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
