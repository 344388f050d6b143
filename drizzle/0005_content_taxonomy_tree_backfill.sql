-- Custom SQL migration file, put your code below! --
-- Fills tree_path and depth (added by 0004) for the terms stored before it; src/content/tree.ts keeps
-- them from then on. One segment per ancestor and the term itself: the name without \x01 and \x02,
-- \x01, the WordPress id zero-padded to 16 digits, \x02 (segment() in tree.ts). A term whose parent is
-- not stored is a root, as in the listing.
WITH RECURSIVE tree(id, path, depth) AS (
  SELECT t.id,
         replace(replace(t.name, char(1), ''), char(2), '') || char(1) || substr('0000000000000000' || t.external_id, -16) || char(2),
         0
  FROM content_taxonomy t
  WHERE t.parent_external_id = 0 OR t.parent_external_id = t.external_id
     OR NOT EXISTS (SELECT 1 FROM content_taxonomy p
                    WHERE p.integration_id = t.integration_id AND p.taxonomy = t.taxonomy AND p.external_id = t.parent_external_id)
  UNION ALL
  SELECT c.id,
         tree.path || replace(replace(c.name, char(1), ''), char(2), '') || char(1) || substr('0000000000000000' || c.external_id, -16) || char(2),
         tree.depth + 1
  FROM tree
  JOIN content_taxonomy p ON p.id = tree.id
  JOIN content_taxonomy c ON c.integration_id = p.integration_id AND c.taxonomy = p.taxonomy
                         AND c.parent_external_id = p.external_id AND c.external_id != p.external_id
  WHERE tree.depth < 100
)
UPDATE content_taxonomy SET tree_path = tree.path, depth = tree.depth FROM tree WHERE tree.id = content_taxonomy.id;
--> statement-breakpoint
-- Terms in a parent cycle (and below one) have no root: each is listed as a root, so nothing disappears.
UPDATE content_taxonomy
SET tree_path = replace(replace(name, char(1), ''), char(2), '') || char(1) || substr('0000000000000000' || external_id, -16) || char(2),
    depth = 0
WHERE tree_path = '';
