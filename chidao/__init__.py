"""chidao — work platform for multi-level steering committees (Ban Chỉ đạo)."""
