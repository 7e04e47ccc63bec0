CREATE TABLE "mirror_records" (
	"redis_key" text NOT NULL,
	"record_id" text NOT NULL,
	"hash" text NOT NULL,
	"quarantined" boolean DEFAULT false NOT NULL,
	"mirrored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mirror_records_redis_key_record_id_pk" PRIMARY KEY("redis_key","record_id")
);
--> statement-breakpoint
CREATE TABLE "mirrored_users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"display_name" text,
	"email" text,
	"groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"attributes" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
