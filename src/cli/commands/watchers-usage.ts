// The usage line of `t5g watchers`, apart from the command so that `t5g --help` can show it without
// loading the Portal client.
export const USAGE = 'Usage: t5g watchers list <case> | add <case> <sso> | remove <case> <sso>';
