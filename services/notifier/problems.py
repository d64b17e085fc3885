"""Problems the notifier answers (besides the kernel's generic ones)."""

from shared.http.problems import ProblemType

DELIVERY_NOT_FOUND = ProblemType(
    "delivery-not-found",
    404,
    {
        "en": "No such delivery",
        "zh-TW": "找不到此郵件發送紀錄",
        "zh-CN": "找不到此邮件发送记录",
        "ja": "該当する配信記録が見つかりません",
    },
)
DELIVERY_NOT_RETRYABLE = ProblemType(
    "delivery-not-retryable",
    409,
    {
        "en": "Only a failed delivery can be sent again",
        "zh-TW": "只有發送失敗的郵件可以重新發送",
        "zh-CN": "只有发送失败的邮件可以重新发送",
        "ja": "再送できるのは送信に失敗した配信のみです",
    },
)
UNSUBSCRIBE_LINK_INVALID = ProblemType(
    "unsubscribe-link-invalid",
    400,
    {
        "en": "This unsubscribe link is not valid",
        "zh-TW": "此取消訂閱連結無效",
        "zh-CN": "此退订链接无效",
        "ja": "この配信停止リンクは無効です",
    },
)
