"""The catalogue's evidence slots against the documents service's slot table: a front end
uploads a record's 佐证材料 to the slot the catalogue names (GET /api/v1/achievement-types),
so every such slot must exist in documents, on the same form, with the seeds' label and,
where the seed states the rule, exactly that rule. Plain imports, no services."""
from services.achievements import catalogue as cat
from services.achievements.logic import children
from services.documents.logic import slots as documents

TABLE = {rule.key: rule for rule in documents.CATALOGUE}
TYPE_OF_CHILD = {t.children: t for t in cat.TYPES.values() if t.children}


def record_slots():
    """(record type, slot) for every slot of every type."""
    return [(t, s) for t in cat.TYPES.values() for s in cat.EVIDENCE[t.code]]


def test_every_slot_a_record_type_names_is_a_person_slot_of_its_form_with_the_seeds_label():
    missing = sorted(s.code for _, s in record_slots() if s.code not in TABLE)
    assert missing == []
    for t, s in record_slots():
        rule = TABLE[s.code]
        assert (rule.form, rule.label) == (t.label, s.label), s.code
        assert rule.uploader == documents.PERSON_UPLOADS, s.code
        assert not rule.transient, s.code
        if s.rule_text:
            # the seed's sentence, as documents enforces it
            assert rule.rule_text == s.rule_text, s.code
        else:
            # the seeds give no rule: documents applies its stated default
            assert rule.source.startswith(documents.DEFAULT_SOURCE), s.code
    # the type's own slot (served as evidence_slot) is its first one
    for t in cat.TYPES.values():
        slots = cat.EVIDENCE[t.code]
        assert t.evidence_slot == (slots[0].code if slots else None), t.code


def test_the_health_row_slots_exist_too():
    # a reference's file (每一个参考文献都必须上传附件)
    reference = cat.CHILDREN["references"]
    rule = TABLE[reference.evidence_slot]
    assert (rule.form, rule.label) == (TYPE_OF_CHILD["references"].label, "参考文献附件")
    assert rule.uploader == documents.PERSON_UPLOADS
    # case rows carry no file
    assert cat.CHILDREN["cases"].evidence_slot is None
    # the 非模板录入附件 the submission checks for is the slot the catalogue requires
    # when the record is not entered by template
    for code, keys in children.NONTEMPLATE_SLOTS.items():
        wanted = [s.code for s in cat.EVIDENCE[code]
                  if s.required_when == ("template_entry", False)]
        assert list(keys) == wanted, code
        assert all(TABLE[k].label == "非模板录入附件" for k in keys)


def test_no_record_slot_of_documents_is_left_without_a_catalogue_entry():
    """The other way round: each slot documents keeps on the form of a record type is
    named by the catalogue (no orphan a front end cannot reach)."""
    named = {s.code for _, s in record_slots()}
    named |= {c.evidence_slot for c in cat.CHILDREN.values() if c.evidence_slot}
    type_labels = {t.label for t in cat.TYPES.values()}
    on_record_forms = {rule.key for rule in documents.CATALOGUE if rule.form in type_labels}
    assert on_record_forms == named
