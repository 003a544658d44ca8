"""Key areas (重点地区): places governed over time, from 排查 through 整治 and 验收 to 回头看."""
