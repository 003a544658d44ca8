-- The default taxonomy, taken from what residents and grid workers report in the field.
-- Admins edit it afterwards through the API (every edit audited); this only seeds it.

INSERT INTO deadline_presets (code, name, name_en, accept_minutes, resolve_minutes, verify_minutes) VALUES
    ('emergency', '紧急',   'Emergency', 1,    5,     30),
    ('urgent',    '加急',   'Urgent',    30,   240,   720),
    ('ordinary',  '一般',   'Ordinary',  240,  2880,  1440),
    ('long',      '长期',   'Long-term', 1440, 14400, 2880);

INSERT INTO categories
    (code, name, name_en, class, owner_kind, confidential, duplicate_radius_m, preset_code,
     photo_required, reward_points, icon, sort_order)
VALUES
    ('security_hazard',  '治安隐患',      'Public-order hazard',            'safety',      'grid',      false, 100, 'urgent',    true,  5,  'shield',    10),
    ('fire_lane',        '消防通道堵塞',  'Blocked fire lane',              'safety',      'grid',      false, 50,  'urgent',    true,  5,  'fire',      20),
    ('street_vending',   '占道经营',      'Street vending on the road',     'city',        'chengguan', false, 50,  'ordinary',  true,  2,  'stall',     30),
    ('illegal_parking',  '乱停车/黑车',   'Illegal parking, unlicensed taxis', 'city',     'police',    false, 50,  'ordinary',  true,  2,  'car',       40),
    ('streetlight',      '路灯损坏',      'Broken streetlight',             'facility',    'chengguan', false, 30,  'ordinary',  true,  2,  'light',     50),
    ('sanitation',       '环境卫生',      'Litter and sanitation',          'environment', 'grid',      false, 50,  'ordinary',  true,  2,  'trash',     60),
    ('public_facility',  '公共设施损坏',  'Damaged public facility',        'facility',    'grid',      false, 50,  'ordinary',  true,  2,  'wrench',    70),
    ('dispute',          '矛盾纠纷',      'Neighbourhood dispute',          'mediation',   'grid',      false, 0,   'ordinary',  false, 3,  'people',    80),
    ('school_safety',    '校园周边安全',  'Safety around schools',          'safety',      'police',    false, 200, 'urgent',    false, 5,  'school',    90),
    ('telecom_fraud',    '电信诈骗线索',  'Telecom-fraud lead',             'clue',        'police',    false, 0,   'urgent',    false, 10, 'phone',     100),
    ('food_safety',      '食品安全',      'Food safety',                    'market',      'market',    false, 100, 'ordinary',  true,  3,  'food',      110),
    ('urgent_hazard',    '突发险情',      'Urgent hazard',                  'safety',      'grid',      false, 100, 'emergency', true,  10, 'alert',     120),
    ('vice_clue',        '黄赌毒线索',    'Drugs, gambling or prostitution lead', 'clue',  'police',    true,  0,   'urgent',    false, 20, 'lock',      130),
    ('gang_clue',        '涉黑涉恶线索',  'Organised-crime lead',           'clue',        'police',    true,  0,   'urgent',    false, 20, 'lock',      140),
    ('other',            '其他',          'Other',                          'other',       'grid',      false, 50,  'ordinary',  false, 1,  'other',     999);
