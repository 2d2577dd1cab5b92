"""ID numbers are masked wherever they stand in a text; unrelated digit runs are not."""
import logging

from services.common.logs import MaskingFormatter, mask_text

NUMBER = "540102199604163797"
MASKED = "540102********3797"


def test_an_id_number_is_masked_glued_to_letters_or_digits():
    assert mask_text(NUMBER) == MASKED
    assert mask_text(NUMBER + "q") == MASKED + "q"
    assert mask_text("abc" + NUMBER + "def") == "abc" + MASKED + "def"
    assert mask_text("9" + NUMBER + "1") == "9" + MASKED + "1"
    assert mask_text("用户" + "34010419850707001X" + "登录") == "用户340104********001X登录"
    assert mask_text("登录失败（用户名或密码错误）：" + NUMBER + "q") == (
        "登录失败（用户名或密码错误）：" + MASKED + "q")


def test_long_digit_runs_without_a_birth_date_stay():
    for text in ("12345678901234567890", "request 1733535456123456789",
                 "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                 "order 000000000000000000001"):
        assert mask_text(text) == text


def test_log_records_are_masked_with_a_trailing_letter():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login %s", (NUMBER + "q",),
                               None)
    assert MaskingFormatter("%(message)s").format(record) == "login " + MASKED + "q"
