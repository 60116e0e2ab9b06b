from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_attempt_error import WebhookAttemptError
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="WebhookAttempt")



@_attrs_define
class WebhookAttempt:
    """ One attempt of a webhook delivery: when it started, how long it took and what the endpoint
    answered.

        Attributes:
            attempt (int): The attempt's number, from 1.
            started (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            latency_ms (int): From the start of the attempt to the answer (or the failure), in milliseconds.
            status_code (int | None | Unset): The HTTP status the endpoint answered, or `null` when it did not answer.
            response_body (None | str | Unset): The first 1 KiB of the endpoint's answer (at most 4 KiB is read), or `null`.
            error_class (None | Unset | WebhookAttemptError): Why the attempt failed; `null` when it succeeded (a 2xx).
     """

    attempt: int
    started: datetime.datetime
    latency_ms: int
    status_code: int | None | Unset = UNSET
    response_body: None | str | Unset = UNSET
    error_class: None | Unset | WebhookAttemptError = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        started = self.started.isoformat()

        latency_ms = self.latency_ms

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        response_body: None | str | Unset
        if isinstance(self.response_body, Unset):
            response_body = UNSET
        else:
            response_body = self.response_body

        error_class: None | str | Unset
        if isinstance(self.error_class, Unset):
            error_class = UNSET
        elif isinstance(self.error_class, WebhookAttemptError):
            error_class = self.error_class.value
        else:
            error_class = self.error_class


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempt": attempt,
            "started": started,
            "latency_ms": latency_ms,
        })
        if status_code is not UNSET:
            field_dict["status_code"] = status_code
        if response_body is not UNSET:
            field_dict["response_body"] = response_body
        if error_class is not UNSET:
            field_dict["error_class"] = error_class

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        started = datetime.datetime.fromisoformat(d.pop("started"))




        latency_ms = d.pop("latency_ms")

        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))


        def _parse_response_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_body = _parse_response_body(d.pop("response_body", UNSET))


        def _parse_error_class(data: object) -> None | Unset | WebhookAttemptError:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                error_class_type_1 = WebhookAttemptError(data)



                return error_class_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookAttemptError, data)

        error_class = _parse_error_class(d.pop("error_class", UNSET))


        webhook_attempt = cls(
            attempt=attempt,
            started=started,
            latency_ms=latency_ms,
            status_code=status_code,
            response_body=response_body,
            error_class=error_class,
        )


        webhook_attempt.additional_properties = d
        return webhook_attempt

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
