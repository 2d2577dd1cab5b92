"""Excel import templates (openpyxl) and reading an uploaded workbook into rows.

Templates, with the seeds' columns:
- ``cases``: 病案导入模板 of the 卫生-专题/卫生-论文 case lists (Fujian manual 图 1-50:
  序号, 住院(门诊)号, 病人姓名, 入院日期, 出院日期, 年龄, 性别, 入院诊断, 出院诊断).
- ``medical_records``: the 卫生-病案 record type's template (Anhui manual: 住院号, 姓名,
  入院日期, 出院日期, 入院诊断, 出院诊断, 抢救或治疗结果, 手术类别 from a drop-down).
- ``references``: 参考文献 (序号, 年度, 文献名称).
- ``public_hours``: the continuing-education platform's export of public-course hours
  (公需课学时) that operators load for 继续教育 提取 (序号, 身份证号码, 姓名, 年度, 学时,
  培训项目, 组织单位, 证书编号, 开始日期, 结束日期).
- ``post_quota``: 岗位核准表, the form a public institution fills, stamps and uploads
  (FAQ: "请先下载核准表模板，填写盖章扫描后，再新增岗位核准信息并上传扫描后的核准表").

Reading is defensive: the zip directory is checked (entry count, declared uncompressed
sizes, compression ratio, sheet count) before openpyxl opens anything; openpyxl reads in
read-only mode (streaming) with defusedxml installed; rows stop at the row limit. This
service only reads: every row comes back with its values (dates as ISO strings) or with
why it cannot be read; the achievements service validates and imports.
"""
import dataclasses
import datetime as dt
import io
import re
import zipfile

from services.common.errors import Invalid, TooLarge
from services.contracts.documents import POST_QUOTA_TEMPLATE

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                "#GETTING_DATA"}
MAX_TEXT = 500
TEMPLATE_ROWS = 1000       # rows prepared (formats, drop-downs) in a downloaded template
HEADER_SEARCH_ROWS = 5
SURGERY_CATEGORIES = ("抢救", "治疗", "手术")  # see the note at medical_records below
GENDERS = ("男", "女")

TEXT, DATE, INT, YEAR, CHOICE = "text", "date", "int", "year", "choice"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT
    width: int = 16
    choices: tuple = ()


@dataclasses.dataclass(frozen=True)
class Template:
    name: str
    title: str
    file_name: str
    sheet: str
    columns: tuple
    notes: tuple = ()
    version: int = 1

    @property
    def titles(self):
        return [c.title for c in self.columns]

    def to_dict(self):
        return {"name": self.name, "title": self.title, "file_name": self.file_name,
                "columns": [{"key": c.key, "title": c.title, "kind": c.kind,
                             "choices": list(c.choices)} for c in self.columns]}


CASE_NOTES = (
    "第1行为标题，第2行为表头，请从第3行开始填写，不要修改表头。",
    "日期格式为 YYYY-MM-DD（如 2021-05-01）。",
    "新增病案材料仅支持近5年日期且病案数量不少于10份（专题），论文不少于1份。",
)

TEMPLATES = {
    "cases": Template(
        name="cases", title="病案导入模板", file_name="病案导入模板.xlsx", sheet="病案",
        columns=(
            Column("seq", "序号", INT, 8),
            Column("case_no", "住院(门诊)号", TEXT, 18),
            Column("patient_name", "病人姓名", TEXT, 14),
            Column("admission_date", "入院日期", DATE, 14),
            Column("discharge_date", "出院日期", DATE, 14),
            Column("age", "年龄", INT, 8),
            Column("gender", "性别", CHOICE, 8, GENDERS),
            Column("admission_diagnosis", "入院诊断", TEXT, 30),
            Column("discharge_diagnosis", "出院诊断", TEXT, 30),
        ),
        notes=CASE_NOTES,
    ),
    # 卫生-病案: the form's fields (Anhui 000 / Fujian 001 "卫生-病案"). The manuals name a
    # 手术类别 drop-down without listing its values; the Fujian list shows the column as
    # "抢救或治疗(或手术)" holding "抢救", hence 抢救/治疗/手术.
    "medical_records": Template(
        name="medical_records", title="卫生-病案导入模板", file_name="卫生-病案导入模板.xlsx",
        sheet="病案",
        columns=(
            Column("seq", "序号", INT, 8),
            Column("case_no", "住院号", TEXT, 18),
            Column("patient_name", "姓名", TEXT, 14),
            Column("admission_date", "入院日期", DATE, 14),
            Column("discharge_date", "出院日期", DATE, 14),
            Column("admission_diagnosis", "入院诊断", TEXT, 30),
            Column("discharge_diagnosis", "出院诊断", TEXT, 30),
            Column("treatment_result", "抢救或治疗结果", TEXT, 30),
            Column("surgery_category", "手术类别", CHOICE, 12, SURGERY_CATEGORIES),
        ),
        notes=CASE_NOTES[:2] + ("手术类别请从下拉列表中选择。",),
    ),
    "references": Template(
        name="references", title="参考文献导入模板", file_name="参考文献导入模板.xlsx",
        sheet="参考文献",
        columns=(
            Column("seq", "序号", INT, 8),
            Column("year", "年度", YEAR, 10),
            Column("title", "文献名称", TEXT, 60),
        ),
        notes=("第1行为标题，第2行为表头，请从第3行开始填写，不要修改表头。",
               "年度填写四位年份（如 2021）。",
               "新增参考文献数量不少于20份，且近3年文献数量不少于10篇；每一个参考文献都必须上传附件。"),
    ),
    # 继续教育 提取: the columns operators load (achievements' public_hours.COLUMN_LABELS).
    # 学时 is read as text (it may carry one decimal, e.g. 42.5) and checked there.
    "public_hours": Template(
        name="public_hours", title="公需课学时导入模板", file_name="公需课学时导入模板.xlsx",
        sheet="公需课学时",
        columns=(
            Column("seq", "序号", INT, 8),
            Column("id_number", "身份证号码", TEXT, 22),
            Column("name", "姓名", TEXT, 12),
            Column("year", "年度", YEAR, 10),
            Column("hours", "学时", TEXT, 10),
            Column("project", "培训项目", TEXT, 30),
            Column("organizer", "组织单位", TEXT, 30),
            Column("certificate_no", "证书编号", TEXT, 18),
            Column("start_date", "开始日期", DATE, 14),
            Column("end_date", "结束日期", DATE, 14),
        ),
        notes=("第1行为标题，第2行为表头，请从第3行开始填写，不要修改表头。",
               "继续教育管理平台导出的公需课学时：仅导入2021年（含）以后的数据；"
               "身份证号码、年度相同的行只能有一行。",
               "日期格式为 YYYY-MM-DD（如 2021-05-01）；学时可保留1位小数。"),
    ),
}
POST_QUOTA = POST_QUOTA_TEMPLATE
POST_QUOTA_FILE = "岗位核准表.xlsx"
POST_QUOTA_LEVELS = ("正高级", "副高级", "中级", "初级")
TEMPLATE_NAMES = tuple(TEMPLATES) + (POST_QUOTA,)
TEMPLATE_VERSION = {**{name: t.version for name, t in TEMPLATES.items()}, POST_QUOTA: 1}


# Refusals whatever the template asked for: no template can read such a workbook, so the
# service removes it at once (a wrong header depends on the template and keeps the file).
UNREADABLE = frozenset({"workbook.corrupt", "workbook.unsafe_xml", "workbook.zip_bomb",
                        "workbook.too_complex", "workbook.too_many_sheets",
                        "workbook.too_many_rows", "workbook.too_large"})


def template_file_name(name):
    return POST_QUOTA_FILE if name == POST_QUOTA else TEMPLATES[name].file_name


def check_template(name, parseable=False):
    names = tuple(TEMPLATES) if parseable else TEMPLATE_NAMES
    if name not in names:
        raise Invalid("workbook.template_unknown", "模板不存在",
                      {"fields": {"template": [f"可选：{'、'.join(names)}"]}})
    return name


# --------------------------------------------------------------------------- writing

def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title_font": Font(name="宋体", size=14, bold=True),
        "label_font": Font(name="宋体", size=11, bold=True),
        "header_font": Font(name="宋体", size=11, bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="4472C4"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }


def _notes_sheet(workbook, notes):
    from openpyxl.styles import Font

    sheet = workbook.create_sheet("填写说明")
    sheet.column_dimensions["A"].width = 90
    sheet["A1"] = "填写说明"
    sheet["A1"].font = Font(bold=True, size=12)
    for row, note in enumerate(notes, start=2):
        sheet.cell(row=row, column=1, value=f"{row - 1}. {note}")


def _validation(kind, column, first, last, choices=()):
    from openpyxl.worksheet.datavalidation import DataValidation

    ref = f"{column}{first}:{column}{last}"
    if kind == CHOICE:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                            allow_blank=True)
        dv.error, dv.prompt = f"请从下拉列表中选择：{'、'.join(choices)}", "请从下拉列表中选择"
    elif kind == DATE:
        dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                            formula2="DATE(2100,12,31)", allow_blank=True)
        dv.error, dv.prompt = "请输入有效日期，如 2021-05-01", "日期格式：YYYY-MM-DD"
    elif kind == YEAR:
        dv = DataValidation(type="whole", operator="between", formula1="1900",
                            formula2="2100", allow_blank=True)
        dv.error, dv.prompt = "请输入四位年份，如 2021", "四位年份"
    elif kind == INT:
        dv = DataValidation(type="whole", operator="between", formula1="0",
                            formula2="100000", allow_blank=True)
        dv.error, dv.prompt = "请输入整数", "整数"
    else:
        return None
    dv.errorTitle, dv.promptTitle = "输入有误", "提示"
    dv.showErrorMessage = dv.showInputMessage = True
    dv.add(ref)
    return dv


def build_template(name):
    """The xlsx bytes of template ``name``."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    check_template(name)
    if name == POST_QUOTA:
        return _build_post_quota()
    template = TEMPLATES[name]
    style = _styles()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = template.sheet
    width = len(template.columns)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"] = template.title
    sheet["A1"].font = style["title_font"]
    sheet["A1"].alignment = style["center"]
    sheet.row_dimensions[1].height = 28
    sheet.row_dimensions[2].height = 22
    first, last = 3, 2 + TEMPLATE_ROWS
    for index, column in enumerate(template.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=2, column=index, value=column.title)
        cell.font, cell.fill = style["header_font"], style["header_fill"]
        cell.border, cell.alignment = style["border"], style["center"]
        sheet.column_dimensions[letter].width = column.width
        if column.kind == DATE:
            for row in range(first, last + 1):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        elif column.kind == TEXT:
            for row in range(first, last + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        validation = _validation(column.kind, letter, first, last, column.choices)
        if validation is not None:
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    _notes_sheet(workbook, template.notes)
    return _save(workbook)


def _build_post_quota():
    from openpyxl import Workbook

    style = _styles()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "岗位核准表"
    for letter, width in zip("ABCDEF", (8, 14, 16, 16, 16, 30), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.merge_cells("A1:F1")
    sheet["A1"] = "事业单位岗位核准表"
    sheet["A1"].font, sheet["A1"].alignment = style["title_font"], style["center"]
    sheet.row_dimensions[1].height = 30
    for row, label in ((2, "单位名称："), (3, "统一社会信用代码："), (4, "核准年度：")):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        sheet.cell(row=row, column=1, value=label).font = style["label_font"]
    sheet.add_data_validation(_validation(YEAR, "C", 4, 4))
    headers = ("序号", "职称级别", "核准岗位数", "已聘人数", "空缺岗位数", "备注")
    for column, title in enumerate(headers, start=1):
        cell = sheet.cell(row=6, column=column, value=title)
        cell.font, cell.fill = style["header_font"], style["header_fill"]
        cell.border, cell.alignment = style["border"], style["center"]
    for offset, level in enumerate(POST_QUOTA_LEVELS):
        row = 7 + offset
        sheet.cell(row=row, column=1, value=offset + 1)
        sheet.cell(row=row, column=2, value=level)
        sheet.cell(row=row, column=5, value=f"=C{row}-D{row}")
        for column in range(1, 7):
            sheet.cell(row=row, column=column).border = style["border"]
    sheet.add_data_validation(_validation(CHOICE, "B", 7, 10, POST_QUOTA_LEVELS))
    for letter in "CD":
        sheet.add_data_validation(_validation(INT, letter, 7, 10))
    sheet["A12"] = "单位（盖章）："
    sheet["D12"] = "日期："
    sheet["E12"].number_format = "yyyy-mm-dd"
    sheet.add_data_validation(_validation(DATE, "E", 12, 12))
    sheet.merge_cells("A14:F14")
    sheet["A14"] = ("请先下载核准表模板，填写盖章扫描后，再新增岗位核准信息并上传扫描后的核准表。"
                    "设置的信息一旦提交后，不可再更改。")
    sheet["A14"].alignment = style["center"]
    sheet.row_dimensions[14].height = 36
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    return _save(workbook)


def _save(workbook):
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading

def check_zip(fileobj, limits):
    """Refuse a workbook whose zip would expand too far (a zip bomb) or has too many
    sheets, reading only the zip directory. Leaves ``fileobj`` at 0."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Invalid("workbook.corrupt", "文件已损坏或不是有效的Excel工作簿（xlsx）") from None
    finally:
        fileobj.seek(0)
    if len(entries) > limits.max_entries:
        raise TooLarge("workbook.too_complex", "工作簿结构异常（文件条目过多），已拒绝")
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed_bytes:
        raise TooLarge("workbook.zip_bomb",
                       f"工作簿解压后超过{limits.max_uncompressed_bytes // (1024 * 1024)}MB"
                       f"（疑似压缩炸弹），已拒绝",
                       {"uncompressed": total, "max": limits.max_uncompressed_bytes})
    for entry in entries:
        if entry.file_size > 1024 * 1024 and (
                entry.compress_size == 0
                or entry.file_size / entry.compress_size > limits.max_ratio):
            raise TooLarge("workbook.zip_bomb", "工作簿压缩比异常（疑似压缩炸弹），已拒绝",
                           {"entry": entry.filename})
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise Invalid("workbook.corrupt", "文件已损坏或不是有效的Excel工作簿（xlsx）")
    sheets = [e for e in entries if re.fullmatch(r"xl/worksheets/[^/]+\.xml", e.filename)]
    if len(sheets) > limits.max_sheets:
        raise Invalid("workbook.too_many_sheets",
                      f"工作簿最多只能包含{limits.max_sheets}个工作表（当前{len(sheets)}个）",
                      {"sheets": len(sheets), "max": limits.max_sheets})
    for entry in sheets:
        _check_sheet_head(fileobj, entry, limits)


# ``<dimension ref="A1:I5002"/>``: the used range Excel, WPS, LibreOffice and openpyxl write
# before the sheet's data.
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="[A-Z]{0,3}(\d*)(?::[A-Z]{0,3}(\d+))?"')
HEAD_LIMIT = 256 * 1024
NO_DIMENSION_MAX = 8 * 1024 * 1024


def _check_sheet_head(fileobj, entry, limits):
    """Read a sheet only up to its data: refuse a declared used range far beyond the row
    limit, and a large sheet that does not declare one (openpyxl's read-only mode would
    scan the whole sheet to measure it before reading a single row)."""
    head = b""
    try:
        with zipfile.ZipFile(fileobj) as archive, archive.open(entry) as part:
            while len(head) < HEAD_LIMIT and b"sheetData" not in head:
                chunk = part.read(16 * 1024)
                if not chunk:
                    break
                head += chunk
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise Invalid("workbook.corrupt", "文件已损坏或不是有效的Excel工作簿（xlsx）") from None
    finally:
        fileobj.seek(0)
    head = head.split(b"sheetData", 1)[0]
    match = DIMENSION.search(head)
    most = limits.max_rows * 3 + HEADER_SEARCH_ROWS
    if match:
        last_row = int(match.group(2) or match.group(1) or 0)
        if last_row > most:
            raise Invalid("workbook.too_many_rows",
                          f"工作表有{last_row}行，最多只能导入{limits.max_rows}行数据，请分批导入",
                          {"rows": last_row, "max_rows": limits.max_rows})
    elif entry.file_size > NO_DIMENSION_MAX:
        raise Invalid("workbook.too_many_rows",
                      "工作表内容过多且缺少尺寸信息，请用Excel打开后另存为xlsx，并分批导入",
                      {"max_rows": limits.max_rows})


def _normal(title):
    text = "" if title is None else str(title)
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return _date(value)
    return str(value).strip()


def _date(value):
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial day number without a date format
            return from_excel(value).date().isoformat()
        raise ValueError
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError


def _integer(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d{1,12}", text):
        return int(text)
    raise ValueError


def _year(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.year
    year = _integer(value)
    if not 1900 <= year <= 2100:
        raise ValueError
    return year


READERS = {
    DATE: (_date, "不是有效日期（应为 YYYY-MM-DD）"),
    INT: (_integer, "应为整数"),
    YEAR: (_year, "应为四位年份"),
}


def read_row(template, cells):
    """``(values, error)`` for one data row: values keyed by column, or the first reason
    the row cannot be read."""
    values, problems = {}, []
    for column, raw in zip(template.columns, cells, strict=False):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[column.key] = None
            continue
        if isinstance(raw, str) and raw.strip() in EXCEL_ERRORS:
            problems.append(f"“{column.title}”单元格含有错误值 {raw.strip()}")
            values[column.key] = None
            continue
        reader = READERS.get(column.kind)
        if reader is None:
            text = _text(raw)
            if len(text) > MAX_TEXT:
                problems.append(f"“{column.title}”超过{MAX_TEXT}个字符")
            values[column.key] = text
            continue
        convert, message = reader
        try:
            values[column.key] = convert(raw)
        except (ValueError, TypeError, OverflowError):
            problems.append(f"“{column.title}”{message}：{_text(raw)[:50]}")
            values[column.key] = None
    for column in template.columns[len(cells):]:
        values[column.key] = None
    return values, "；".join(problems) or None


def parse_workbook(fileobj, size, template_name, limits):
    """Rows of the first sheet of an uploaded template workbook.

    ``{"template", "title", "columns", "rows": [{"row", "values", "error"}], "total",
    "readable", "unreadable"}``. 4xx errors: too large, zip bomb, too many sheets, too
    many rows, not a workbook, headers that are not the template's."""
    import openpyxl

    template = TEMPLATES[check_template(template_name, parseable=True)]
    if size > limits.max_bytes:
        raise TooLarge("workbook.too_large",
                       f"工作簿不能超过{limits.max_bytes // (1024 * 1024)}MB")
    check_zip(fileobj, limits)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:
        raise _unreadable(exc) from exc
    try:
        if len(workbook.sheetnames) > limits.max_sheets:
            raise Invalid("workbook.too_many_sheets",
                          f"工作簿最多只能包含{limits.max_sheets}个工作表"
                          f"（当前{len(workbook.sheetnames)}个）")
        sheet = workbook.worksheets[0]
        # A declared used range may be stale or false: read to the real end of the data
        # (bounded by the row limits below), never stop at the declared last row.
        sheet.reset_dimensions()
        return _read_sheet(sheet, template, limits)
    except (Invalid, TooLarge):
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc
    finally:
        workbook.close()


def _unreadable(exc):
    """Why openpyxl could not read the workbook: XML that declares entities or a DTD
    (billion laughs, external entities), refused by defusedxml somewhere in the chain of
    exceptions, or anything else that is not a workbook."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DefusedXmlException):
            return Invalid("workbook.unsafe_xml",
                           "工作簿含有不允许的XML内容（DTD或实体声明），已拒绝")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return Invalid("workbook.corrupt", "文件已损坏或不是有效的Excel工作簿（xlsx）")


def _read_sheet(sheet, template, limits):
    width = len(template.columns)
    wanted = [_normal(t) for t in template.titles]
    header_row = None
    rows = []
    scanned = 0
    max_scanned = limits.max_rows * 3 + HEADER_SEARCH_ROWS
    for number, cells in enumerate(sheet.iter_rows(max_col=width, values_only=True), 1):
        scanned += 1
        if scanned > max_scanned:
            raise Invalid("workbook.too_many_rows",
                          f"工作表行数过多（含空行），最多只能导入{limits.max_rows}行数据")
        cells = tuple(cells)
        if header_row is None:
            if [_normal(c) for c in cells[:width]] == wanted:
                header_row = number
            elif number >= HEADER_SEARCH_ROWS:
                raise Invalid(
                    "workbook.header_mismatch",
                    f"表头与“{template.title}”不一致，请下载模板后按模板填写："
                    f"{'、'.join(template.titles)}",
                    {"expected": template.titles})
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(rows) >= limits.max_rows:
            raise Invalid("workbook.too_many_rows",
                          f"最多只能导入{limits.max_rows}行数据，请分批导入",
                          {"max_rows": limits.max_rows})
        values, error = read_row(template, cells)
        rows.append({"row": number, "values": values, "error": error})
    if header_row is None:
        raise Invalid("workbook.header_mismatch",
                      f"表头与“{template.title}”不一致，请下载模板后按模板填写："
                      f"{'、'.join(template.titles)}", {"expected": template.titles})
    unreadable = sum(1 for r in rows if r["error"])
    return {"template": template.name, "title": template.title,
            "columns": [{"key": c.key, "title": c.title} for c in template.columns],
            "rows": rows, "total": len(rows), "readable": len(rows) - unreadable,
            "unreadable": unreadable}
