"""Why a case cannot be opened, said in the reader's language.

The decision is `shared.entitlements.may_open_case`; this only explains a refusal.
"""

from datetime import date

from shared.messages import Message, Text

COVERAGE_ENDED = Text(
    "cases.coverage-ended",
    en="Support coverage of this license ended on {end}. Renew your maintenance contract "
    "(it starts the day after {end}) to open cases again.",
    zh_tw="此授權的保固/維護期間已於 {end} 結束。請續購維護合約（自 {end} 的次日起算）後即可再次線上開單。",
    zh_cn="此授权的保修/维护期间已于 {end} 结束。请续购维护合约（自 {end} 的次日起算）后即可再次在线开单。",
    ja="このライセンスのサポート期間は {end} に終了しました。保守契約（{end} の翌日開始）を更新すると、再び起票できます。",
)
COVERAGE_NOT_STARTED = Text(
    "cases.coverage-not-started",
    en="Support coverage of this license starts on {start}; open the case from that day.",
    zh_tw="此授權的保固/維護期間自 {start} 開始；請於當日起再開單。",
    zh_cn="此授权的保修/维护期间自 {start} 开始；请于当日起再开单。",
    ja="このライセンスのサポート期間は {start} に開始します。その日以降に起票してください。",
)


def no_coverage_reason(start: date, end: date, today: date) -> Message:
    if today < start:
        return COVERAGE_NOT_STARTED(start=start)
    return COVERAGE_ENDED(end=end)
