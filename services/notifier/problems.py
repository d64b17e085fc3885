"""Problems the notifier answers (besides the kernel's generic ones), and what their details say."""

from shared.http.problems import ProblemType
from shared.messages import Text

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

CHECK_DELIVERY_ID = Text(
    "notifier.check-delivery-id",
    en="Check the delivery id in the list of recent deliveries.",
    zh_tw="請在最近的郵件發送紀錄清單中確認發送紀錄編號。",
    zh_cn="请在最近的邮件发送记录列表中核对发送记录编号。",
    ja="最近の配信記録の一覧で配信記録の ID を確認してください。",
)
RETRY_ONLY_FAILED = Text(
    "notifier.retry-only-failed",
    en="This delivery is {status}; only a failed delivery can be sent again.",
    zh_tw="此郵件目前的狀態為 {status}；只有發送失敗的郵件可以重新發送。",
    zh_cn="此邮件当前的状态为 {status}；只有发送失败的邮件可以重新发送。",
    ja="この配信の状態は {status} です。再送できるのは送信に失敗した配信のみです。",
)
UNSUBSCRIBE_LINK_DAMAGED = Text(
    "notifier.unsubscribe-link-damaged",
    en="The link was changed or cut short; sign in and change your mail preferences there.",
    zh_tw="此連結已被修改或不完整；請登入後在郵件通知設定中變更。",
    zh_cn="此链接已被修改或不完整；请登录后在邮件通知设置中更改。",
    ja="リンクが変更されたか途中で切れています。サインインしてメール通知の設定から変更してください。",
)
