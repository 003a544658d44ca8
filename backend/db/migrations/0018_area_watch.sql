-- 回头看 looks at a watched area once a city day: the day it last looked.
ALTER TABLE key_areas ADD COLUMN watched_on date;
