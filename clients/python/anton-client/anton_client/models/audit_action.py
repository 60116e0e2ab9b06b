from enum import StrEnum

class AuditAction(StrEnum):
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_RESOLVED = "alert.resolved"
    API_KEY_CREATED = "api_key.created"
    API_KEY_EXPOSED = "api_key.exposed"
    API_KEY_REVOKED = "api_key.revoked"
    API_KEY_ROLLED = "api_key.rolled"
    BALANCE_FUNDED = "balance.funded"
    MEMBER_INVITATION_REVOKED = "member.invitation_revoked"
    MEMBER_INVITED = "member.invited"
    MEMBER_JOINED = "member.joined"
    MEMBER_LOGIN = "member.login"
    MEMBER_LOGIN_FAILED = "member.login_failed"
    MEMBER_PASSWORD_CHANGED = "member.password_changed"
    MEMBER_REMOVED = "member.removed"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_TWO_FACTOR_CHANGED = "member.two_factor_changed"
    MERCHANT_ALERT_EMAILS_UPDATED = "merchant.alert_emails_updated"
    MERCHANT_RATE_LIMIT_UPDATED = "merchant.rate_limit_updated"
    PAYOUT_APPROVED = "payout.approved"
    PAYOUT_CANCELED = "payout.canceled"
    PAYOUT_REJECTED = "payout.rejected"
    PAYOUT_REVIEW_EXPIRED = "payout.review_expired"
    RISK_RULE_UPDATED = "risk_rule.updated"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint.created"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint.deleted"
    WEBHOOK_ENDPOINT_SECRET_ROTATED = "webhook_endpoint.secret_rotated"
    WEBHOOK_ENDPOINT_UPDATED = "webhook_endpoint.updated"

    def __str__(self) -> str:
        return str(self.value)
