from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.enabled_events_type_0_item import EnabledEventsType0Item
from ..models.event_type_name import EventTypeName
from ..models.signature_scheme import SignatureScheme
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WebhookEndpointCreate")



@_attrs_define
class WebhookEndpointCreate:
    """ A new webhook endpoint.

        Attributes:
            url (str): Where to post events: an absolute `https://` URL (`http://` is accepted in test mode
                only), at most 2048 characters, without a user name or password, not on port 0, whose
                host resolves only to public addresses (the SSRF guard). `url_invalid` otherwise.
            enabled_events (list[EnabledEventsType0Item] | list[EventTypeName]): The event types an endpoint subscribes to:
                `["*"]` alone for every type, present and future, or a list of 1 to 17 event types. Anything else is refused
                with `enabled_events_invalid`.
            description (None | str | Unset): Your description of the endpoint: at most 500 characters
                (`description_invalid`), no
                control, bidirectional-formatting or zero-width characters; `null` for none.
            signature_scheme (None | SignatureScheme | Unset): How deliveries are signed: `hmac_sha256` (default) or
                `ed25519` (`parameter_invalid`
                otherwise). Fixed once the endpoint exists. Default: SignatureScheme.HMAC_SHA256.
     """

    url: str
    enabled_events: list[EnabledEventsType0Item] | list[EventTypeName]
    description: None | str | Unset = UNSET
    signature_scheme: None | SignatureScheme | Unset = SignatureScheme.HMAC_SHA256





    def to_dict(self) -> dict[str, Any]:
        url = self.url

        enabled_events: list[str]
        if isinstance(self.enabled_events, list):
            enabled_events = []
            for componentsschemas_enabled_events_type_0_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_0_item = componentsschemas_enabled_events_type_0_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_0_item)


        else:
            enabled_events = []
            for componentsschemas_enabled_events_type_1_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_1_item = componentsschemas_enabled_events_type_1_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_1_item)




        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        signature_scheme: None | str | Unset
        if isinstance(self.signature_scheme, Unset):
            signature_scheme = UNSET
        elif isinstance(self.signature_scheme, SignatureScheme):
            signature_scheme = self.signature_scheme.value
        else:
            signature_scheme = self.signature_scheme


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "url": url,
            "enabled_events": enabled_events,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if signature_scheme is not UNSET:
            field_dict["signature_scheme"] = signature_scheme

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        def _parse_enabled_events(data: object) -> list[EnabledEventsType0Item] | list[EventTypeName]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_enabled_events_type_0 = []
                _componentsschemas_enabled_events_type_0 = data
                for componentsschemas_enabled_events_type_0_item_data in (_componentsschemas_enabled_events_type_0):
                    componentsschemas_enabled_events_type_0_item = EnabledEventsType0Item(componentsschemas_enabled_events_type_0_item_data)



                    componentsschemas_enabled_events_type_0.append(componentsschemas_enabled_events_type_0_item)

                return componentsschemas_enabled_events_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_enabled_events_type_1 = []
            _componentsschemas_enabled_events_type_1 = data
            for componentsschemas_enabled_events_type_1_item_data in (_componentsschemas_enabled_events_type_1):
                componentsschemas_enabled_events_type_1_item = EventTypeName(componentsschemas_enabled_events_type_1_item_data)



                componentsschemas_enabled_events_type_1.append(componentsschemas_enabled_events_type_1_item)

            return componentsschemas_enabled_events_type_1

        enabled_events = _parse_enabled_events(d.pop("enabled_events"))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_signature_scheme(data: object) -> None | SignatureScheme | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signature_scheme_type_1 = SignatureScheme(data)



                return signature_scheme_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignatureScheme | Unset, data)

        signature_scheme = _parse_signature_scheme(d.pop("signature_scheme", UNSET))


        webhook_endpoint_create = cls(
            url=url,
            enabled_events=enabled_events,
            description=description,
            signature_scheme=signature_scheme,
        )

        return webhook_endpoint_create

