-- Catalog: template versions now hold the full TemplateDefinition (lib/catalog/schemas.ts).
-- Rewrites snapshots of the earlier single-size shape into it (one size "standard" with the
-- template's vCPU/RAM/disk; one mapping per TemplateMapping row), links each template to its
-- current version, and records archived templates' archive time.
UPDATE "CatalogTemplateVersion" v
SET snapshot = jsonb_build_object(
  'slug', t.slug,
  'name', t.name,
  'description', t.description,
  'category', t.category,
  'os', t.os,
  'sizes', jsonb_build_array(jsonb_build_object('name', 'standard', 'vcpus', t.vcpus, 'memoryMiB', t."memoryMiB", 'diskGiB', t."diskGiB")),
  'mappings', COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
      'providerKind', m."providerKind"::text,
      'regionCode', m."regionCode",
      'instanceTypes', jsonb_build_object('standard', m.size),
      'image', m.image) ORDER BY m."providerKind", m."regionCode")
    FROM "TemplateMapping" m WHERE m."templateId" = t.id), '[]'::jsonb),
  'allowedProviderKinds', '[]'::jsonb,
  'allowedRegions', '[]'::jsonb,
  'allowedProjectIds', '[]'::jsonb,
  'defaultLeaseDays', to_jsonb(t."defaultLeaseDays"),
  'maxLeaseDays', to_jsonb(t."maxLeaseDays"),
  'parameters', '[]'::jsonb)
FROM "CatalogTemplate" t
WHERE v."templateId" = t.id AND NOT (v.snapshot ? 'sizes');

UPDATE "TemplateMapping" SET "instanceTypes" = jsonb_build_object('standard', size) WHERE "instanceTypes" = '{}'::jsonb;

-- A template without any version gets version 1 from its columns (same shape as above).
INSERT INTO "CatalogTemplateVersion" (id, "templateId", version, snapshot, changelog, "createdAt")
SELECT 'v1_' || t.id, t.id, t."currentVersion", jsonb_build_object(
  'slug', t.slug, 'name', t.name, 'description', t.description, 'category', t.category, 'os', t.os,
  'sizes', jsonb_build_array(jsonb_build_object('name', 'standard', 'vcpus', t.vcpus, 'memoryMiB', t."memoryMiB", 'diskGiB', t."diskGiB")),
  'mappings', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('providerKind', m."providerKind"::text, 'regionCode', m."regionCode",
      'instanceTypes', jsonb_build_object('standard', m.size), 'image', m.image) ORDER BY m."providerKind", m."regionCode")
    FROM "TemplateMapping" m WHERE m."templateId" = t.id), '[]'::jsonb),
  'allowedProviderKinds', '[]'::jsonb, 'allowedRegions', '[]'::jsonb, 'allowedProjectIds', '[]'::jsonb,
  'defaultLeaseDays', to_jsonb(t."defaultLeaseDays"), 'maxLeaseDays', to_jsonb(t."maxLeaseDays"), 'parameters', '[]'::jsonb),
  'Migrated', now()
FROM "CatalogTemplate" t
WHERE NOT EXISTS (SELECT 1 FROM "CatalogTemplateVersion" v WHERE v."templateId" = t.id AND v.version = t."currentVersion");

UPDATE "CatalogTemplate" t SET "currentVersionId" = v.id
FROM "CatalogTemplateVersion" v
WHERE v."templateId" = t.id AND v.version = t."currentVersion" AND t."currentVersionId" IS NULL;

UPDATE "CatalogTemplate" SET "archivedAt" = "updatedAt" WHERE active = false AND "archivedAt" IS NULL;
