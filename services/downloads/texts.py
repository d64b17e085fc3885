"""What the downloads service says in a problem's detail, in the four languages."""

from shared.messages import Text

CHECK_RELEASE_ID = Text(
    "downloads.check-release-id",
    en="Check the release id; the list shows what you can see.",
    zh_tw="請確認版本編號；清單中列出您可查看的版本。",
    zh_cn="请确认版本编号；列表中列出您可查看的版本。",
    ja="リリース ID を確認してください。一覧に表示されているものが閲覧できるリリースです。",
)
PICK_LISTED_FILE = Text(
    "downloads.pick-listed-file",
    en="Pick one of the files listed with the release.",
    zh_tw="請從此版本列出的檔案中選擇一個。",
    zh_cn="请从此版本列出的文件中选择一个。",
    ja="リリースに掲載されているファイルから選んでください。",
)
RELEASED_AFTER_COVERAGE = Text(
    "downloads.released-after-coverage",
    en="Released after your coverage ended on {end}; renew your maintenance contract to download it.",
    zh_tw="此版本於您的保固/維護到期日 {end} 之後發布；請續購維護合約後再下載。",
    zh_cn="此版本在您的保修/维护到期日 {end} 之后发布；请续购维护合约后再下载。",
    ja="この版は保守期間の終了日（{end}）より後に公開されました。ダウンロードするには保守契約を更新してください。",
)
NO_LICENSE_OF_PRODUCT = Text(
    "downloads.no-license-of-product",
    en="You hold no license of {product}; add one under Personal File / Product Licenses.",
    zh_tw="您尚未持有 {product} 的授權；請至「個人檔案 / 產品授權」新增授權。",
    zh_cn="您尚未持有 {product} 的授权；请至“个人档案 / 产品授权”新增授权。",
    ja="{product} のライセンスをお持ちではありません。「個人情報 / 製品ライセンス」でライセンスを追加してください。",
)

# --- the release role's API ---------------------------------------------------------------------

WITHDRAWN_FOR_GOOD = Text(
    "downloads.withdrawn-for-good",
    en="{product} {version} was withdrawn and cannot be changed or published again; publish a corrected version under a new version number.",
    zh_tw="{product} {version} 已撤回，無法再修改或重新發布；請以新的版本號發布修正版本。",
    zh_cn="{product} {version} 已撤回，无法再修改或重新发布；请以新的版本号发布修正版本。",
    ja="{product} {version} は取り下げ済みのため、変更や再公開はできません。新しいバージョン番号で修正版を公開してください。",
)
ADD_A_FILE_FIRST = Text(
    "downloads.add-a-file-first",
    en="A release needs at least one verified file before it is published; upload one and try again.",
    zh_tw="版本發布前至少需要一個已驗證的檔案；請先上傳檔案再試一次。",
    zh_cn="版本发布前至少需要一个已验证的文件；请先上传文件再试一次。",
    ja="公開するには検証済みのファイルが 1 つ以上必要です。ファイルをアップロードしてからもう一度お試しください。",
)
ONLY_PUBLISHED_WITHDRAWN = Text(
    "downloads.only-published-withdrawn",
    en="Only a published release can be withdrawn; a draft is simply not published.",
    zh_tw="只有已發布的版本可以撤回；草稿不發布即可。",
    zh_cn="只有已发布的版本可以撤回；草稿不发布即可。",
    ja="取り下げできるのは公開済みのリリースだけです。下書きは公開しなければ表示されません。",
)
CORRECTS_OTHER_PRODUCT = Text(
    "downloads.corrects-other-product",
    en="A corrected version replaces a published release of the same product and kind; pick one from the release list.",
    zh_tw="修正版本只能取代同一產品、同一類型的已發布版本；請從版本清單中選擇。",
    zh_cn="修正版本只能取代同一产品、同一类型的已发布版本；请从版本列表中选择。",
    ja="修正版が置き換えられるのは、同じ製品・同じ種類の公開済みリリースだけです。リリース一覧から選んでください。",
)
CHECK_UPLOAD_ID = Text(
    "downloads.check-upload-id",
    en="No such upload in this release; start the upload again.",
    zh_tw="此版本中沒有這個上傳作業；請重新開始上傳。",
    zh_cn="此版本中没有这个上传任务；请重新开始上传。",
    ja="このリリースにそのアップロードはありません。アップロードをやり直してください。",
)
UPLOAD_FINISHED = Text(
    "downloads.upload-finished",
    en="This upload is already {state}; start a new upload to send the file again.",
    zh_tw="此上傳作業已{state}；如需重新傳送檔案，請開始新的上傳。",
    zh_cn="此上传任务已{state}；如需重新发送文件，请开始新的上传。",
    ja="このアップロードはすでに {state} です。ファイルを送り直すには新しいアップロードを開始してください。",
)
PARTS_MISSING = Text(
    "downloads.parts-missing",
    en="Parts {parts} have not arrived yet; upload them to their URLs, then complete again.",
    zh_tw="分段 {parts} 尚未上傳；請上傳至對應網址後再完成上傳。",
    zh_cn="分段 {parts} 尚未上传；请上传至对应网址后再完成上传。",
    ja="パート {parts} がまだ届いていません。各 URL にアップロードしてから、もう一度完了してください。",
)
SIZE_MISMATCH = Text(
    "downloads.size-mismatch",
    en="The parts add up to {received} bytes, not the {declared} bytes declared; upload the file again.",
    zh_tw="已上傳的分段共 {received} 位元組，與宣告的 {declared} 位元組不符；請重新上傳檔案。",
    zh_cn="已上传的分段共 {received} 字节，与声明的 {declared} 字节不符；请重新上传文件。",
    ja="パートの合計が {received} バイトで、宣言された {declared} バイトと一致しません。ファイルをアップロードし直してください。",
)
CHECKSUM_MISMATCH = Text(
    "downloads.checksum-mismatch",
    en="The stored file's SHA-256 is {received}, not the {declared} declared; the file was discarded, upload it again.",
    zh_tw="儲存檔案的 SHA-256 為 {received}，與宣告的 {declared} 不符；檔案已捨棄，請重新上傳。",
    zh_cn="存储文件的 SHA-256 为 {received}，与声明的 {declared} 不符；文件已丢弃，请重新上传。",
    ja="保存されたファイルの SHA-256 は {received} で、宣言された {declared} と一致しません。ファイルは破棄されました。もう一度アップロードしてください。",
)
PART_NUMBERS = Text(
    "downloads.part-numbers",
    en="This upload has parts 1 to {count}; ask for those.",
    zh_tw="此上傳作業的分段編號為 1 至 {count}；請在此範圍內索取。",
    zh_cn="此上传任务的分段编号为 1 至 {count}；请在此范围内获取。",
    ja="このアップロードのパート番号は 1〜{count} です。その範囲で指定してください。",
)
UPLOAD_LOST = Text(
    "downloads.upload-lost",
    en="The object store no longer has this upload (it was aborted or expired); start the upload again.",
    zh_tw="物件儲存區已沒有此上傳作業（已中止或過期）；請重新開始上傳。",
    zh_cn="对象存储中已没有此上传任务（已中止或过期）；请重新开始上传。",
    ja="オブジェクトストレージにこのアップロードはもうありません（中止または期限切れ）。アップロードをやり直してください。",
)
PERIOD_TOO_LONG = Text(
    "downloads.period-too-long",
    en="Choose a start date on or before the end date, at most {days} days apart.",
    zh_tw="請選擇不晚於結束日期的開始日期，兩者相距最多 {days} 天。",
    zh_cn="请选择不晚于结束日期的开始日期，两者相距最多 {days} 天。",
    ja="開始日は終了日以前の日付を、間隔が {days} 日以内になるように選んでください。",
)
