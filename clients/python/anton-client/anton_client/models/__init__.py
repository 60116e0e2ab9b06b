""" Contains all the data models used in inputs/outputs """

from .ach_account_type import AchAccountType
from .acknowledge_alert_anton_version import AcknowledgeAlertAntonVersion
from .alert import Alert
from .alert_details import AlertDetails
from .alert_event import AlertEvent
from .alert_event_api_version import AlertEventApiVersion
from .alert_event_data import AlertEventData
from .alert_event_data_previous_attributes import AlertEventDataPreviousAttributes
from .alert_event_object import AlertEventObject
from .alert_event_type import AlertEventType
from .alert_list import AlertList
from .alert_list_object import AlertListObject
from .alert_object import AlertObject
from .alert_rule import AlertRule
from .alert_severity import AlertSeverity
from .alert_status import AlertStatus
from .approve_payout_anton_version import ApprovePayoutAntonVersion
from .audit_action import AuditAction
from .audit_actor import AuditActor
from .audit_actor_type import AuditActorType
from .audit_entry import AuditEntry
from .audit_entry_after_type_0 import AuditEntryAfterType0
from .audit_entry_before_type_0 import AuditEntryBeforeType0
from .audit_entry_list import AuditEntryList
from .audit_entry_list_object import AuditEntryListObject
from .audit_entry_object import AuditEntryObject
from .audit_resource import AuditResource
from .bad_request_error import BadRequestError
from .bad_request_error_error import BadRequestErrorError
from .bad_request_error_error_code import BadRequestErrorErrorCode
from .bad_request_error_error_type import BadRequestErrorErrorType
from .balance import Balance
from .balance_amount import BalanceAmount
from .balance_object import BalanceObject
from .balance_transaction import BalanceTransaction
from .balance_transaction_list import BalanceTransactionList
from .balance_transaction_list_object import BalanceTransactionListObject
from .balance_transaction_object import BalanceTransactionObject
from .balance_transaction_type import BalanceTransactionType
from .bank_account import BankAccount
from .bank_account_type import BankAccountType
from .bank_transfer import BankTransfer
from .cancel_payout_anton_version import CancelPayoutAntonVersion
from .conflict_error import ConflictError
from .conflict_error_error import ConflictErrorError
from .conflict_error_error_code import ConflictErrorErrorCode
from .conflict_error_error_type import ConflictErrorErrorType
from .content_too_large_error import ContentTooLargeError
from .content_too_large_error_error import ContentTooLargeErrorError
from .content_too_large_error_error_code import ContentTooLargeErrorErrorCode
from .content_too_large_error_error_type import ContentTooLargeErrorErrorType
from .create_endpoint_anton_version import CreateEndpointAntonVersion
from .create_payout_anton_version import CreatePayoutAntonVersion
from .create_recipient_anton_version import CreateRecipientAntonVersion
from .currency import Currency
from .delete_endpoint_anton_version import DeleteEndpointAntonVersion
from .delete_recipient_anton_version import DeleteRecipientAntonVersion
from .deleted_recipient import DeletedRecipient
from .deleted_recipient_object import DeletedRecipientObject
from .deleted_webhook_endpoint import DeletedWebhookEndpoint
from .deleted_webhook_endpoint_object import DeletedWebhookEndpointObject
from .delivery_recovery import DeliveryRecovery
from .egress_ip import EgressIp
from .egress_ip_list import EgressIpList
from .egress_ip_list_object import EgressIpListObject
from .egress_ips_anton_version import EgressIpsAntonVersion
from .empty_body import EmptyBody
from .enabled_events_type_0_item import EnabledEventsType0Item
from .error import Error
from .error_error import ErrorError
from .error_error_code import ErrorErrorCode
from .error_error_type import ErrorErrorType
from .event_list import EventList
from .event_list_object import EventListObject
from .event_resend import EventResend
from .event_type import EventType
from .event_type_data_object import EventTypeDataObject
from .event_type_list import EventTypeList
from .event_type_list_object import EventTypeListObject
from .event_type_name import EventTypeName
from .event_type_object import EventTypeObject
from .failing_code import FailingCode
from .failure_code import FailureCode
from .forbidden_error import ForbiddenError
from .forbidden_error_error import ForbiddenErrorError
from .forbidden_error_error_code import ForbiddenErrorErrorCode
from .forbidden_error_error_type import ForbiddenErrorErrorType
from .fund_balance_anton_version import FundBalanceAntonVersion
from .gb_fps_account_details import GbFpsAccountDetails
from .gb_fps_account_details_type import GbFpsAccountDetailsType
from .get_alert_anton_version import GetAlertAntonVersion
from .get_audit_entry_anton_version import GetAuditEntryAntonVersion
from .get_balance_anton_version import GetBalanceAntonVersion
from .get_endpoint_anton_version import GetEndpointAntonVersion
from .get_event_anton_version import GetEventAntonVersion
from .get_payout_anton_version import GetPayoutAntonVersion
from .get_recipient_anton_version import GetRecipientAntonVersion
from .get_request_anton_version import GetRequestAntonVersion
from .get_risk_rule_anton_version import GetRiskRuleAntonVersion
from .health import Health
from .health_status import HealthStatus
from .healthz_anton_version import HealthzAntonVersion
from .iban_account_details import IbanAccountDetails
from .iban_account_details_type import IbanAccountDetailsType
from .internal_server_error_error import InternalServerErrorError
from .internal_server_error_error_error import InternalServerErrorErrorError
from .internal_server_error_error_error_code import InternalServerErrorErrorErrorCode
from .internal_server_error_error_error_type import InternalServerErrorErrorErrorType
from .ledger_account import LedgerAccount
from .list_alerts_anton_version import ListAlertsAntonVersion
from .list_audit_log_anton_version import ListAuditLogAntonVersion
from .list_balance_transactions_anton_version import ListBalanceTransactionsAntonVersion
from .list_deliveries_anton_version import ListDeliveriesAntonVersion
from .list_endpoints_anton_version import ListEndpointsAntonVersion
from .list_event_types_anton_version import ListEventTypesAntonVersion
from .list_events_anton_version import ListEventsAntonVersion
from .list_payouts_anton_version import ListPayoutsAntonVersion
from .list_recipients_anton_version import ListRecipientsAntonVersion
from .list_requests_anton_version import ListRequestsAntonVersion
from .list_risk_rules_anton_version import ListRiskRulesAntonVersion
from .metadata import Metadata
from .not_found_error import NotFoundError
from .not_found_error_error import NotFoundErrorError
from .not_found_error_error_code import NotFoundErrorErrorCode
from .not_found_error_error_type import NotFoundErrorErrorType
from .payout import Payout
from .payout_create import PayoutCreate
from .payout_event import PayoutEvent
from .payout_event_api_version import PayoutEventApiVersion
from .payout_event_data import PayoutEventData
from .payout_event_data_previous_attributes import PayoutEventDataPreviousAttributes
from .payout_event_object import PayoutEventObject
from .payout_event_type import PayoutEventType
from .payout_list import PayoutList
from .payout_list_object import PayoutListObject
from .payout_object import PayoutObject
from .payout_review import PayoutReview
from .payout_review_decision import PayoutReviewDecision
from .payout_review_status import PayoutReviewStatus
from .payout_status import PayoutStatus
from .payout_update import PayoutUpdate
from .readiness import Readiness
from .readiness_status import ReadinessStatus
from .readyz_anton_version import ReadyzAntonVersion
from .recipient import Recipient
from .recipient_create import RecipientCreate
from .recipient_event import RecipientEvent
from .recipient_event_api_version import RecipientEventApiVersion
from .recipient_event_data import RecipientEventData
from .recipient_event_data_previous_attributes import RecipientEventDataPreviousAttributes
from .recipient_event_object import RecipientEventObject
from .recipient_event_type import RecipientEventType
from .recipient_list import RecipientList
from .recipient_list_object import RecipientListObject
from .recipient_object import RecipientObject
from .recipient_update import RecipientUpdate
from .recover_anton_version import RecoverAntonVersion
from .recovery import Recovery
from .recovery_object import RecoveryObject
from .reject_payout_anton_version import RejectPayoutAntonVersion
from .request import Request
from .request_list import RequestList
from .request_list_object import RequestListObject
from .request_object import RequestObject
from .request_timeout_error import RequestTimeoutError
from .request_timeout_error_error import RequestTimeoutErrorError
from .request_timeout_error_error_code import RequestTimeoutErrorErrorCode
from .request_timeout_error_error_type import RequestTimeoutErrorErrorType
from .resend_anton_version import ResendAntonVersion
from .resolve_alert_anton_version import ResolveAlertAntonVersion
from .risk_action import RiskAction
from .risk_assessment import RiskAssessment
from .risk_rule import RiskRule
from .risk_rule_fired import RiskRuleFired
from .risk_rule_limits_type_0 import RiskRuleLimitsType0
from .risk_rule_list import RiskRuleList
from .risk_rule_list_object import RiskRuleListObject
from .risk_rule_name import RiskRuleName
from .risk_rule_object import RiskRuleObject
from .risk_rule_update import RiskRuleUpdate
from .risk_rule_update_limits_type_0 import RiskRuleUpdateLimitsType0
from .rotate_secret_anton_version import RotateSecretAntonVersion
from .secret_rotation import SecretRotation
from .send_test_event_anton_version import SendTestEventAntonVersion
from .serve_anton_version import ServeAntonVersion
from .serve_response_200 import ServeResponse200
from .service_unavailable_error import ServiceUnavailableError
from .service_unavailable_error_error import ServiceUnavailableErrorError
from .service_unavailable_error_error_code import ServiceUnavailableErrorErrorCode
from .service_unavailable_error_error_type import ServiceUnavailableErrorErrorType
from .signature_scheme import SignatureScheme
from .test_balance_funding import TestBalanceFunding
from .test_helper_payout_fail_anton_version import TestHelperPayoutFailAntonVersion
from .test_helper_payout_pay_anton_version import TestHelperPayoutPayAntonVersion
from .test_helper_payout_return_anton_version import TestHelperPayoutReturnAntonVersion
from .test_payout_failure import TestPayoutFailure
from .too_many_requests_error import TooManyRequestsError
from .too_many_requests_error_error import TooManyRequestsErrorError
from .too_many_requests_error_error_code import TooManyRequestsErrorErrorCode
from .too_many_requests_error_error_type import TooManyRequestsErrorErrorType
from .unauthorized_error import UnauthorizedError
from .unauthorized_error_error import UnauthorizedErrorError
from .unauthorized_error_error_code import UnauthorizedErrorErrorCode
from .unauthorized_error_error_type import UnauthorizedErrorErrorType
from .unprocessable_content_error import UnprocessableContentError
from .unprocessable_content_error_error import UnprocessableContentErrorError
from .unprocessable_content_error_error_code import UnprocessableContentErrorErrorCode
from .unprocessable_content_error_error_type import UnprocessableContentErrorErrorType
from .unsupported_media_type_error import UnsupportedMediaTypeError
from .unsupported_media_type_error_error import UnsupportedMediaTypeErrorError
from .unsupported_media_type_error_error_code import UnsupportedMediaTypeErrorErrorCode
from .unsupported_media_type_error_error_type import UnsupportedMediaTypeErrorErrorType
from .update_endpoint_anton_version import UpdateEndpointAntonVersion
from .update_payout_anton_version import UpdatePayoutAntonVersion
from .update_recipient_anton_version import UpdateRecipientAntonVersion
from .update_risk_rule_anton_version import UpdateRiskRuleAntonVersion
from .us_ach_account_details import UsAchAccountDetails
from .us_ach_account_details_type import UsAchAccountDetailsType
from .webhook_attempt import WebhookAttempt
from .webhook_attempt_error import WebhookAttemptError
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_event import WebhookDeliveryEvent
from .webhook_delivery_event_api_version import WebhookDeliveryEventApiVersion
from .webhook_delivery_event_data import WebhookDeliveryEventData
from .webhook_delivery_event_data_previous_attributes import WebhookDeliveryEventDataPreviousAttributes
from .webhook_delivery_event_object import WebhookDeliveryEventObject
from .webhook_delivery_event_type import WebhookDeliveryEventType
from .webhook_delivery_list import WebhookDeliveryList
from .webhook_delivery_list_object import WebhookDeliveryListObject
from .webhook_delivery_object import WebhookDeliveryObject
from .webhook_delivery_status import WebhookDeliveryStatus
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_event import WebhookEndpointEvent
from .webhook_endpoint_event_api_version import WebhookEndpointEventApiVersion
from .webhook_endpoint_event_data import WebhookEndpointEventData
from .webhook_endpoint_event_data_previous_attributes import WebhookEndpointEventDataPreviousAttributes
from .webhook_endpoint_event_object import WebhookEndpointEventObject
from .webhook_endpoint_event_type import WebhookEndpointEventType
from .webhook_endpoint_list import WebhookEndpointList
from .webhook_endpoint_list_object import WebhookEndpointListObject
from .webhook_endpoint_object import WebhookEndpointObject
from .webhook_endpoint_status import WebhookEndpointStatus
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_test import WebhookTest
from .webhook_test_object import WebhookTestObject

__all__ = (
    "AchAccountType",
    "AcknowledgeAlertAntonVersion",
    "Alert",
    "AlertDetails",
    "AlertEvent",
    "AlertEventApiVersion",
    "AlertEventData",
    "AlertEventDataPreviousAttributes",
    "AlertEventObject",
    "AlertEventType",
    "AlertList",
    "AlertListObject",
    "AlertObject",
    "AlertRule",
    "AlertSeverity",
    "AlertStatus",
    "ApprovePayoutAntonVersion",
    "AuditAction",
    "AuditActor",
    "AuditActorType",
    "AuditEntry",
    "AuditEntryAfterType0",
    "AuditEntryBeforeType0",
    "AuditEntryList",
    "AuditEntryListObject",
    "AuditEntryObject",
    "AuditResource",
    "BadRequestError",
    "BadRequestErrorError",
    "BadRequestErrorErrorCode",
    "BadRequestErrorErrorType",
    "Balance",
    "BalanceAmount",
    "BalanceObject",
    "BalanceTransaction",
    "BalanceTransactionList",
    "BalanceTransactionListObject",
    "BalanceTransactionObject",
    "BalanceTransactionType",
    "BankAccount",
    "BankAccountType",
    "BankTransfer",
    "CancelPayoutAntonVersion",
    "ConflictError",
    "ConflictErrorError",
    "ConflictErrorErrorCode",
    "ConflictErrorErrorType",
    "ContentTooLargeError",
    "ContentTooLargeErrorError",
    "ContentTooLargeErrorErrorCode",
    "ContentTooLargeErrorErrorType",
    "CreateEndpointAntonVersion",
    "CreatePayoutAntonVersion",
    "CreateRecipientAntonVersion",
    "Currency",
    "DeletedRecipient",
    "DeletedRecipientObject",
    "DeletedWebhookEndpoint",
    "DeletedWebhookEndpointObject",
    "DeleteEndpointAntonVersion",
    "DeleteRecipientAntonVersion",
    "DeliveryRecovery",
    "EgressIp",
    "EgressIpList",
    "EgressIpListObject",
    "EgressIpsAntonVersion",
    "EmptyBody",
    "EnabledEventsType0Item",
    "Error",
    "ErrorError",
    "ErrorErrorCode",
    "ErrorErrorType",
    "EventList",
    "EventListObject",
    "EventResend",
    "EventType",
    "EventTypeDataObject",
    "EventTypeList",
    "EventTypeListObject",
    "EventTypeName",
    "EventTypeObject",
    "FailingCode",
    "FailureCode",
    "ForbiddenError",
    "ForbiddenErrorError",
    "ForbiddenErrorErrorCode",
    "ForbiddenErrorErrorType",
    "FundBalanceAntonVersion",
    "GbFpsAccountDetails",
    "GbFpsAccountDetailsType",
    "GetAlertAntonVersion",
    "GetAuditEntryAntonVersion",
    "GetBalanceAntonVersion",
    "GetEndpointAntonVersion",
    "GetEventAntonVersion",
    "GetPayoutAntonVersion",
    "GetRecipientAntonVersion",
    "GetRequestAntonVersion",
    "GetRiskRuleAntonVersion",
    "Health",
    "HealthStatus",
    "HealthzAntonVersion",
    "IbanAccountDetails",
    "IbanAccountDetailsType",
    "InternalServerErrorError",
    "InternalServerErrorErrorError",
    "InternalServerErrorErrorErrorCode",
    "InternalServerErrorErrorErrorType",
    "LedgerAccount",
    "ListAlertsAntonVersion",
    "ListAuditLogAntonVersion",
    "ListBalanceTransactionsAntonVersion",
    "ListDeliveriesAntonVersion",
    "ListEndpointsAntonVersion",
    "ListEventsAntonVersion",
    "ListEventTypesAntonVersion",
    "ListPayoutsAntonVersion",
    "ListRecipientsAntonVersion",
    "ListRequestsAntonVersion",
    "ListRiskRulesAntonVersion",
    "Metadata",
    "NotFoundError",
    "NotFoundErrorError",
    "NotFoundErrorErrorCode",
    "NotFoundErrorErrorType",
    "Payout",
    "PayoutCreate",
    "PayoutEvent",
    "PayoutEventApiVersion",
    "PayoutEventData",
    "PayoutEventDataPreviousAttributes",
    "PayoutEventObject",
    "PayoutEventType",
    "PayoutList",
    "PayoutListObject",
    "PayoutObject",
    "PayoutReview",
    "PayoutReviewDecision",
    "PayoutReviewStatus",
    "PayoutStatus",
    "PayoutUpdate",
    "Readiness",
    "ReadinessStatus",
    "ReadyzAntonVersion",
    "Recipient",
    "RecipientCreate",
    "RecipientEvent",
    "RecipientEventApiVersion",
    "RecipientEventData",
    "RecipientEventDataPreviousAttributes",
    "RecipientEventObject",
    "RecipientEventType",
    "RecipientList",
    "RecipientListObject",
    "RecipientObject",
    "RecipientUpdate",
    "RecoverAntonVersion",
    "Recovery",
    "RecoveryObject",
    "RejectPayoutAntonVersion",
    "Request",
    "RequestList",
    "RequestListObject",
    "RequestObject",
    "RequestTimeoutError",
    "RequestTimeoutErrorError",
    "RequestTimeoutErrorErrorCode",
    "RequestTimeoutErrorErrorType",
    "ResendAntonVersion",
    "ResolveAlertAntonVersion",
    "RiskAction",
    "RiskAssessment",
    "RiskRule",
    "RiskRuleFired",
    "RiskRuleLimitsType0",
    "RiskRuleList",
    "RiskRuleListObject",
    "RiskRuleName",
    "RiskRuleObject",
    "RiskRuleUpdate",
    "RiskRuleUpdateLimitsType0",
    "RotateSecretAntonVersion",
    "SecretRotation",
    "SendTestEventAntonVersion",
    "ServeAntonVersion",
    "ServeResponse200",
    "ServiceUnavailableError",
    "ServiceUnavailableErrorError",
    "ServiceUnavailableErrorErrorCode",
    "ServiceUnavailableErrorErrorType",
    "SignatureScheme",
    "TestBalanceFunding",
    "TestHelperPayoutFailAntonVersion",
    "TestHelperPayoutPayAntonVersion",
    "TestHelperPayoutReturnAntonVersion",
    "TestPayoutFailure",
    "TooManyRequestsError",
    "TooManyRequestsErrorError",
    "TooManyRequestsErrorErrorCode",
    "TooManyRequestsErrorErrorType",
    "UnauthorizedError",
    "UnauthorizedErrorError",
    "UnauthorizedErrorErrorCode",
    "UnauthorizedErrorErrorType",
    "UnprocessableContentError",
    "UnprocessableContentErrorError",
    "UnprocessableContentErrorErrorCode",
    "UnprocessableContentErrorErrorType",
    "UnsupportedMediaTypeError",
    "UnsupportedMediaTypeErrorError",
    "UnsupportedMediaTypeErrorErrorCode",
    "UnsupportedMediaTypeErrorErrorType",
    "UpdateEndpointAntonVersion",
    "UpdatePayoutAntonVersion",
    "UpdateRecipientAntonVersion",
    "UpdateRiskRuleAntonVersion",
    "UsAchAccountDetails",
    "UsAchAccountDetailsType",
    "WebhookAttempt",
    "WebhookAttemptError",
    "WebhookDelivery",
    "WebhookDeliveryEvent",
    "WebhookDeliveryEventApiVersion",
    "WebhookDeliveryEventData",
    "WebhookDeliveryEventDataPreviousAttributes",
    "WebhookDeliveryEventObject",
    "WebhookDeliveryEventType",
    "WebhookDeliveryList",
    "WebhookDeliveryListObject",
    "WebhookDeliveryObject",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointEvent",
    "WebhookEndpointEventApiVersion",
    "WebhookEndpointEventData",
    "WebhookEndpointEventDataPreviousAttributes",
    "WebhookEndpointEventObject",
    "WebhookEndpointEventType",
    "WebhookEndpointList",
    "WebhookEndpointListObject",
    "WebhookEndpointObject",
    "WebhookEndpointStatus",
    "WebhookEndpointUpdate",
    "WebhookTest",
    "WebhookTestObject",
)
