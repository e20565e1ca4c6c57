"""Personal data on the public pages (DESIGN "Users": the public sees published results with personal data masked;
PIPL 第二十八条/第五十一条): a person is shown by surname only; phones and inspectors never appear."""


def mask_person(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
