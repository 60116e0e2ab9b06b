from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency
from ..models.failure_code import FailureCode
from ..models.payout_object import PayoutObject
from ..models.payout_status import PayoutStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.bank_transfer import BankTransfer
  from ..models.metadata import Metadata
  from ..models.payout_review import PayoutReview
  from ..models.risk_assessment import RiskAssessment





T = TypeVar("T", bound="Payout")



@_attrs_define
class Payout:
    """ A payout: money sent from the available balance to a recipient's bank account. Created
    `pending` with its amount reserved, then moved by the rail (docs/reference.md §3).

        Attributes:
            id (str): The id of a payout: `po_` and 24 base62 characters (time-ordered). A malformed id in a path is a 404;
                in a filter, a 400.
            object_ (PayoutObject): What kind of object this is: always `payout`.
            amount (int): An amount in the currency's minor unit (cents, pence): a positive integer, at most 10000000000000
                (`amount_too_small`, `amount_too_large`). Never a float.
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
            recipient (str): The id of a recipient: `rcp_` and 24 base62 characters (time-ordered). A malformed id in a path
                is a 404; in a filter, a 400.
            status (PayoutStatus): Where a payout is in its lifecycle: `pending` → `processing` → `paid` (→ `returned`), or
                `failed`; `canceled` only from `pending`, by the merchant; a payout a risk rule holds starts in
                `requires_review`. `failed`, `canceled` and `returned` are final.
                - `pending`: created; its amount is reserved (in_flight)
                - `requires_review`: held by a risk rule until a second key approves it (→ `pending`) or rejects it (→
                `canceled`); its amount is reserved (in_flight)
                - `processing`: the rail took it
                - `paid`: the money reached the recipient's bank
                - `failed`: the rail could not pay it; the amount is available again
                - `canceled`: canceled by the merchant; the amount is available again
                - `returned`: the bank sent a paid payout back; the amount is available again
            metadata (Metadata): Your own key-value pairs, stored and returned as sent: at most 50 pairs, keys of 1 to 40
                characters, string values of at most 500 characters (`metadata_invalid` otherwise). Keys refuse control,
                bidirectional-formatting and zero-width characters, values only control characters
                (`parameter_invalid_characters`). Never put secrets or full account numbers here.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            updated (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            failure_code (FailureCode | None | Unset): Why the payout failed or was returned: set on `failed` and `returned`
                payouts, `null`
                otherwise.
            failure_message (None | str | Unset): What `failure_code` means, for humans; `null` when there is no failure
                code.
            description (None | str | Unset): Your description of the payout (at most 500 characters), or `null`.
            arrival_date (datetime.date | None | Unset): The day (UTC, `YYYY-MM-DD`) the payout was paid: set when it
                becomes `paid` and kept
                afterwards (a `returned` payout keeps it); `null` before.
            bank_transfer (BankTransfer | None | Unset): Live mode: the bank file that carried the payout (docs/live-
                payouts.md) — `file`, its
                name, and `reference`, what the bank quotes for this payout (the NACHA trace number, or
                the ISO end-to-end id). `null` until a cut-off puts the payout in a file, and always in
                test mode.
            review (None | PayoutReview | Unset): Set when a risk rule held the payout for review (docs/risk.md): `status`
                (`pending`,
                `approved`, `rejected`, `expired`), the `rules` that asked for it, `requested_by` (the
                creating key, which may not approve it), `requested`, `expires`, and once decided
                `decided_by`, `decided` and `reason`. `null` for a payout never held.
            risk (None | RiskAssessment | Unset): The risk assessment made when the payout was created (docs/risk.md): the
                rules
                `evaluated` and those that `fired`, each with the figures it compared and their
                `explanation` ("sum today 38,000.00 USD > limit 37,000.00 USD"). `null` for payouts
                created before Anton assessed risk. Always the last field.
     """

    id: str
    object_: PayoutObject
    amount: int
    currency: Currency
    recipient: str
    status: PayoutStatus
    metadata: Metadata
    created: datetime.datetime
    updated: datetime.datetime
    livemode: bool
    failure_code: FailureCode | None | Unset = UNSET
    failure_message: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    arrival_date: datetime.date | None | Unset = UNSET
    bank_transfer: BankTransfer | None | Unset = UNSET
    review: None | PayoutReview | Unset = UNSET
    risk: None | RiskAssessment | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_transfer import BankTransfer # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        from ..models.payout_review import PayoutReview # noqa: PLC0415
        from ..models.risk_assessment import RiskAssessment # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        amount = self.amount

        currency = self.currency.value

        recipient = self.recipient

        status = self.status.value

        metadata = self.metadata.to_dict()

        created = self.created.isoformat()

        updated = self.updated.isoformat()

        livemode = self.livemode

        failure_code: None | str | Unset
        if isinstance(self.failure_code, Unset):
            failure_code = UNSET
        elif isinstance(self.failure_code, FailureCode):
            failure_code = self.failure_code.value
        else:
            failure_code = self.failure_code

        failure_message: None | str | Unset
        if isinstance(self.failure_message, Unset):
            failure_message = UNSET
        else:
            failure_message = self.failure_message

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        arrival_date: None | str | Unset
        if isinstance(self.arrival_date, Unset):
            arrival_date = UNSET
        elif isinstance(self.arrival_date, datetime.date):
            arrival_date = self.arrival_date.isoformat()
        else:
            arrival_date = self.arrival_date

        bank_transfer: dict[str, Any] | None | Unset
        if isinstance(self.bank_transfer, Unset):
            bank_transfer = UNSET
        elif isinstance(self.bank_transfer, BankTransfer):
            bank_transfer = self.bank_transfer.to_dict()
        else:
            bank_transfer = self.bank_transfer

        review: dict[str, Any] | None | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        elif isinstance(self.review, PayoutReview):
            review = self.review.to_dict()
        else:
            review = self.review

        risk: dict[str, Any] | None | Unset
        if isinstance(self.risk, Unset):
            risk = UNSET
        elif isinstance(self.risk, RiskAssessment):
            risk = self.risk.to_dict()
        else:
            risk = self.risk


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "amount": amount,
            "currency": currency,
            "recipient": recipient,
            "status": status,
            "metadata": metadata,
            "created": created,
            "updated": updated,
            "livemode": livemode,
        })
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code
        if failure_message is not UNSET:
            field_dict["failure_message"] = failure_message
        if description is not UNSET:
            field_dict["description"] = description
        if arrival_date is not UNSET:
            field_dict["arrival_date"] = arrival_date
        if bank_transfer is not UNSET:
            field_dict["bank_transfer"] = bank_transfer
        if review is not UNSET:
            field_dict["review"] = review
        if risk is not UNSET:
            field_dict["risk"] = risk

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bank_transfer import BankTransfer # noqa: PLC0415
        from ..models.metadata import Metadata # noqa: PLC0415
        from ..models.payout_review import PayoutReview # noqa: PLC0415
        from ..models.risk_assessment import RiskAssessment # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = PayoutObject(d.pop("object"))




        amount = d.pop("amount")

        currency = Currency(d.pop("currency"))




        recipient = d.pop("recipient")

        status = PayoutStatus(d.pop("status"))




        metadata = Metadata.from_dict(d.pop("metadata"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        updated = datetime.datetime.fromisoformat(d.pop("updated"))




        livemode = d.pop("livemode")

        def _parse_failure_code(data: object) -> FailureCode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failure_code_type_1 = FailureCode(data)



                return failure_code_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FailureCode | None | Unset, data)

        failure_code = _parse_failure_code(d.pop("failure_code", UNSET))


        def _parse_failure_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_message = _parse_failure_message(d.pop("failure_message", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_arrival_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                arrival_date_type_0 = datetime.date.fromisoformat(data)



                return arrival_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        arrival_date = _parse_arrival_date(d.pop("arrival_date", UNSET))


        def _parse_bank_transfer(data: object) -> BankTransfer | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                bank_transfer_type_1 = BankTransfer.from_dict(data)



                return bank_transfer_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BankTransfer | None | Unset, data)

        bank_transfer = _parse_bank_transfer(d.pop("bank_transfer", UNSET))


        def _parse_review(data: object) -> None | PayoutReview | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                review_type_1 = PayoutReview.from_dict(data)



                return review_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PayoutReview | Unset, data)

        review = _parse_review(d.pop("review", UNSET))


        def _parse_risk(data: object) -> None | RiskAssessment | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                risk_type_1 = RiskAssessment.from_dict(data)



                return risk_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RiskAssessment | Unset, data)

        risk = _parse_risk(d.pop("risk", UNSET))


        payout = cls(
            id=id,
            object_=object_,
            amount=amount,
            currency=currency,
            recipient=recipient,
            status=status,
            metadata=metadata,
            created=created,
            updated=updated,
            livemode=livemode,
            failure_code=failure_code,
            failure_message=failure_message,
            description=description,
            arrival_date=arrival_date,
            bank_transfer=bank_transfer,
            review=review,
            risk=risk,
        )


        payout.additional_properties = d
        return payout

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
