CREATE TABLE "access_tokens" (
	"cache_key" text PRIMARY KEY NOT NULL,
	"access_token" text NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
