from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.error_error_code import ErrorErrorCode
from ..models.error_error_type import ErrorErrorType
from typing import cast






T = TypeVar("T", bound="ErrorError")



@_attrs_define
class ErrorError:
    """ What went wrong.

        Attributes:
            type_ (ErrorErrorType): How to react: `invalid_request_error` (fix the request; 400, 404, 405, 408, 413, 415;
                409: the state of an object refuses it), `authentication_error` (401: check the key), `permission_error` (403),
                `idempotency_error` (409: retry shortly; 422: use a new key), `rate_limit_error` (429: wait `Retry-After`),
                `api_error` (500, 503: retry with the same Idempotency-Key).
            code (ErrorErrorCode): What happened; stable, safe to branch on.

                - `invalid_json` (400): The body is not valid JSON.
                - `parameter_unknown` (400): An unknown body field or query parameter.
                - `parameter_missing` (400): A required body field is missing.
                - `parameter_invalid` (400): A value of the wrong type or out of range (also a bad `limit`, `created[…]`,
                cursor, list filter, payout `description` or `failure_code`).
                - `parameter_duplicated` (400): A JSON key given twice in one object, at any depth.
                - `parameter_invalid_characters` (400): A text holds a control, bidirectional-formatting or zero-width
                character.
                - `invalid_query` (400): The query string is malformed.
                - `invalid_path` (400): The URL path is malformed (its encoding).
                - `amount_too_small` (400): `amount` is below 1.
                - `amount_too_large` (400): `amount` is above 10,000,000,000,000.
                - `amount_invalid` (400): A test funding `amount` is out of range.
                - `currency_invalid` (400): `currency` is not an upper-case ISO 4217 code.
                - `currency_not_supported` (400): `currency` is not USD, EUR or GBP.
                - `metadata_invalid` (400): Too many metadata pairs, or a key or value too long.
                - `email_invalid` (400): `email` is not an email address.
                - `description_invalid` (400): An endpoint's `description` is too long.
                - `url_invalid` (400): An endpoint `url` is malformed, not https in live mode, or refused by the SSRF guard.
                - `enabled_events_invalid` (400): `enabled_events` is not `["*"]` or a non-empty list of known event types.
                - `status_invalid` (400): An endpoint `status` is not `enabled` or `disabled`.
                - `expire_previous_in_seconds_invalid` (400): `expire_previous_in_seconds` is not 0 to 604800.
                - `idempotency_key_invalid` (400): The `Idempotency-Key` is not 1 to 255 printable ASCII characters without
                spaces.
                - `invalid_routing_number` (400): The routing number is not 9 digits with a valid ABA checksum.
                - `invalid_account_number` (400): The account number has the wrong length or is not all digits.
                - `invalid_account_type` (400): `account_type` is not `checking` or `savings`.
                - `invalid_iban` (400): The IBAN's length, format or check digits are wrong.
                - `invalid_bic` (400): The BIC is not 8 or 11 well-formed characters.
                - `invalid_sort_code` (400): The sort code is not 6 digits.
                - `currency_not_supported_for_account` (400): The bank account cannot be paid in that currency.
                - `currency_mismatch` (400): The payout's currency is not the recipient's bank account's.
                - `insufficient_funds` (409): The available balance does not cover the payout.
                - `risk_blocked` (409): A risk rule whose action is `block` fired; the message names the rule and its figures.
                - `payout_not_in_review` (409): Approving or rejecting a payout that is not held for review.
                - `payout_not_cancelable` (409): The payout is no longer `pending`, so it cannot be canceled.
                - `payout_invalid_transition` (409): A test helper asked for a move the payout's status does not allow.
                - `live_rail_not_configured` (400): A live payout, but this deployment has no live rail.
                - `recipient_has_active_payouts` (409): The recipient still has payouts `pending`, `requires_review` or
                `processing`.
                - `webhook_endpoint_disabled` (409): A resend to a disabled endpoint.
                - `resource_missing` (400): An id in the body names no object of this merchant and environment (a new payout's
                `recipient`).
                - `host_invalid` (400): An HTTP/1.1 request without exactly one `Host` header.
                - `api_version_invalid` (400): `Anton-Version` names a version this server does not speak.
                - `resource_missing` (404): No such object for this merchant and environment (also an id with another kind's
                prefix).
                - `unrecognized_url` (404): No such URL (also the test helpers with a live key).
                - `method_not_allowed` (405): The URL exists, but not with this method.
                - `body_timeout` (408): The request body did not arrive in time.
                - `body_too_large` (413): The request body is over 64 KiB.
                - `unsupported_content_type` (415): A body that is not `application/json` in UTF-8.
                - `missing_api_key` (401): No `Authorization: Bearer` key.
                - `invalid_api_key` (401): The key is malformed, fails its checksum or is unknown.
                - `api_key_revoked` (401): The key was revoked (also when it was revoked or expired after this node's cache
                checked it: nothing was written).
                - `api_key_expired` (401): The key has expired.
                - `missing_scope` (403): The key lacks the scope the operation needs.
                - `browser_request_refused` (403): The request carries browser markers (`Origin`, `Sec-Fetch-Site`, or `Sec-
                Fetch-Mode: navigate`); the key is flagged as possibly exposed.
                - `ip_not_allowed` (403): The client address is outside the key's allowlist.
                - `approver_is_creator` (403): Four-eyes: the key that created a payout cannot approve it.
                - `idempotency_request_in_progress` (409): The key's first request is still running: retry shortly.
                - `idempotency_key_reused` (422): The key was used with a different request (method, path or body).
                - `rate_limited` (429): The key is over its rate limit.
                - `authentication_rate_limited` (429): Too many failed authentications from the client address or at the node (a
                request with a valid key never gets this).
                - `internal_error` (500): A bug: the cause is logged once; the body holds only the request id.
                - `service_unavailable` (503): The database is unreachable or refused the work for a transient reason: retry
                with the same Idempotency-Key.
            message (str): What happened, for humans. It may change: branch on `code`, not on this.
            param (None | str): The parameter at fault (nested fields as `bank_account[routing_number]`, query parameters by
                name), or `null`.
            request_id (str): The id of the request that produced this answer, as in the `Request-Id` header — except in a
                replay, which shows the id of the request whose answer it replays. Quote it to support.
     """

    type_: ErrorErrorType
    code: ErrorErrorCode
    message: str
    param: None | str
    request_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        code = self.code.value

        message = self.message

        param: None | str
        param = self.param

        request_id = self.request_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "type": type_,
            "code": code,
            "message": message,
            "param": param,
            "request_id": request_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = ErrorErrorType(d.pop("type"))




        code = ErrorErrorCode(d.pop("code"))




        message = d.pop("message")

        def _parse_param(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        param = _parse_param(d.pop("param"))


        request_id = d.pop("request_id")

        error_error = cls(
            type_=type_,
            code=code,
            message=message,
            param=param,
            request_id=request_id,
        )


        error_error.additional_properties = d
        return error_error

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
