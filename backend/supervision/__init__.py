"""挂牌督办: a supervisor flags a region until it meets its exit bar (摘牌), its history kept."""
