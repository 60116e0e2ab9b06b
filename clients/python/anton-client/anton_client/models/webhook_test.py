from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_attempt_error import WebhookAttemptError
from ..models.webhook_test_object import WebhookTestObject
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.webhook_endpoint_event import WebhookEndpointEvent





T = TypeVar("T", bound="WebhookTest")



@_attrs_define
class WebhookTest:
    """ The outcome of a test event sent to an endpoint.

        Attributes:
            object_ (WebhookTestObject): What kind of object this is: always `webhook_test`.
            endpoint (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A malformed id in a
                path is a 404; in a filter, a 400.
            succeeded (bool): Whether the endpoint answered 2xx.
            latency_ms (int): From the start of the attempt to the answer (or the failure), in milliseconds.
            event (WebhookEndpointEvent): An event whose `data.object` is a webhook endpoint: `webhook_endpoint.disabled`,
                `webhook_endpoint.test`.
            status_code (int | None | Unset): The endpoint's HTTP status, or `null` when it did not answer.
            error (None | Unset | WebhookAttemptError): Why the attempt failed; `null` when it succeeded.
            response_body (None | str | Unset): The first 1 KiB of the endpoint's answer, or `null`.
     """

    object_: WebhookTestObject
    endpoint: str
    succeeded: bool
    latency_ms: int
    event: WebhookEndpointEvent
    status_code: int | None | Unset = UNSET
    error: None | Unset | WebhookAttemptError = UNSET
    response_body: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_endpoint_event import WebhookEndpointEvent # noqa: PLC0415
        object_ = self.object_.value

        endpoint = self.endpoint

        succeeded = self.succeeded

        latency_ms = self.latency_ms

        event = self.event.to_dict()

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, WebhookAttemptError):
            error = self.error.value
        else:
            error = self.error

        response_body: None | str | Unset
        if isinstance(self.response_body, Unset):
            response_body = UNSET
        else:
            response_body = self.response_body


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "object": object_,
            "endpoint": endpoint,
            "succeeded": succeeded,
            "latency_ms": latency_ms,
            "event": event,
        })
        if status_code is not UNSET:
            field_dict["status_code"] = status_code
        if error is not UNSET:
            field_dict["error"] = error
        if response_body is not UNSET:
            field_dict["response_body"] = response_body

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_endpoint_event import WebhookEndpointEvent # noqa: PLC0415
        d = dict(src_dict)
        object_ = WebhookTestObject(d.pop("object"))




        endpoint = d.pop("endpoint")

        succeeded = d.pop("succeeded")

        latency_ms = d.pop("latency_ms")

        event = WebhookEndpointEvent.from_dict(d.pop("event"))




        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))


        def _parse_error(data: object) -> None | Unset | WebhookAttemptError:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                error_type_1 = WebhookAttemptError(data)



                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookAttemptError, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_response_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_body = _parse_response_body(d.pop("response_body", UNSET))


        webhook_test = cls(
            object_=object_,
            endpoint=endpoint,
            succeeded=succeeded,
            latency_ms=latency_ms,
            event=event,
            status_code=status_code,
            error=error,
            response_body=response_body,
        )


        webhook_test.additional_properties = d
        return webhook_test

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
