// Bodies of the declaration's own lists as the API takes them.

export interface Title { cert_no: string; work_unit: string; series: string; specialty: string; qualification: string; obtain_method: string; files: { id: number; file_name: string }[] }

/** 现有职称情况 for PUT /declarations/{id}/titles: the files become `evidence_file_ids`. */
export function titlesBody(list: Title[]) {
  return { titles: list.map(({ files, ...t }) => ({ ...t, evidence_file_ids: files.map((f) => f.id) })) }
}

/** A list with the item at `index` moved one place up (-1) or down (+1); unchanged at the ends. */
export function moved<T>(list: T[], index: number, direction: -1 | 1): T[] {
  const to = index + direction
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return [...list]
  const out = [...list]
  ;[out[index], out[to]] = [out[to], out[index]]
  return out
}
