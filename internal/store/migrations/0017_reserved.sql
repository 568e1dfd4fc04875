-- 0017_reserved: a placeholder on branch ws-acts only, so that 0018 loads
-- (the loader refuses gaps). Another branch brings the real 0017: delete
-- this file when merging.
SELECT 1;
