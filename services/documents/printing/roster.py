"""花名册 (roster) Excel of a unit's or a level's declarations (manual 2.4.1, 2.4.2: 打印花名册 /
导出花名册).

Rows come from an iterator and are streamed through openpyxl's write-only mode (rows go to
a temporary file as they come, strings are written inline), so 50,000 declarations do not
sit in memory at once. ID and phone numbers are always masked. The header row is frozen,
columns have widths and an auto filter covers the header and every row."""
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from services.common.errors import TooLarge
from services.common.logs import mask_id_number, mask_phone

from services.contracts.printing import load_snapshot

MAX_ROWS = 1_048_575           # an Excel sheet's rows, less the header


@dataclass(frozen=True)
class Column:
    key: str                   # the key in each row dict
    header: str                # the Chinese header
    width: float = 14          # Excel column width (characters)
    mask: str | None = None    # "id_number" | "phone": masked in the sheet


DEFAULT_COLUMNS = (
    Column("no", "序号", 7),
    Column("name", "姓名", 10),
    Column("gender", "性别", 6),
    Column("birth_date", "出生日期", 12),
    Column("id_number", "证件号码", 21, mask="id_number"),
    Column("unit_name", "工作单位", 28),
    Column("current_title", "现有职称", 14),
    Column("applied_title", "申报职称", 14),
    Column("specialty", "申报职称专业方向", 16),
    Column("form_category", "填报表格类别", 12),
    Column("declaration_type", "申报类别", 10),
    Column("level", "申报级别", 9),
    Column("education", "最高学历", 12),
    Column("work_start_date", "参加工作时间", 13),
    Column("years_in_title", "任现职年限", 10),
    Column("phone", "联系电话", 14, mask="phone"),
    Column("status", "状态", 10),
    Column("submitted_at", "提交时间", 20),
)

_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def roster_row(snapshot):
    """One roster row (the keys of DEFAULT_COLUMNS) from a declaration snapshot."""
    snap = load_snapshot(snapshot)
    person, decl, plan = snap["person"], snap["declaration"], snap["plan"]
    return {
        "name": person["name"], "gender": person["gender"], "birth_date": person["birth_date"],
        "id_number": person["id_number"], "unit_name": person["unit_name"],
        "current_title": person["current_title"], "applied_title": decl["applied_title"],
        "specialty": decl["specialty"], "form_category": decl["form_category"],
        "declaration_type": decl["declaration_type"], "level": plan["level"],
        "education": (person["education"] or {}).get("name", ""),
        "work_start_date": person["work_start_date"], "years_in_title": person["years_in_title"],
        "phone": person["phone"], "status": snap["status"], "submitted_at": decl["submitted_at"],
    }


def write_roster(rows_iter, file_obj, columns=DEFAULT_COLUMNS, sheet_title="花名册"):
    """Write the roster workbook (xlsx) of ``rows_iter`` (dicts keyed by the columns' keys)
    to ``file_obj`` (a path or a binary file object). A column keyed ``no`` that a row does
    not fill is numbered 1, 2, …. Returns the number of rows written.

    ``columns``: Column objects or ``(key, header[, width[, mask]])`` tuples."""
    columns = [c if isinstance(c, Column) else Column(*c) for c in columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"

    header_font = Font(name="宋体", bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    thin = Side(style="thin", color="999999")
    header_border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.border = header_font, header_fill, header_border
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    sheet.append(header)

    getters = [(c.key, _MASKS.get(c.mask)) for c in columns]
    count = 0
    for row in rows_iter:
        count += 1
        if count > MAX_ROWS:
            raise TooLarge("roster.too_many_rows", "花名册行数超过 Excel 单表上限，请按条件分批导出",
                           {"max_rows": MAX_ROWS})
        values = []
        for key, mask in getters:
            value = row.get(key)
            if value is None and key == "no":
                value = count
            if mask is not None:
                value = mask(value)
            values.append(_cell(sheet, value))
        sheet.append(values)

    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(file_obj)
    return count


def _cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
    if value.startswith("="):
        # a text beginning with "=" would be written as a formula: keep it text
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
