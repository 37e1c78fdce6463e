# SPDX-License-Identifier: Apache-2.0
# Podman's (= Docker's) default seccomp profile -> the linux.seccomp of a
# config.json, as podman converts it for one architecture and set of
# capabilities. jq --arg arch amd64|arm64 --argjson caps '["CAP_..."]'
def native: {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64"}[$arch];
def has($list; $x): ($list // []) | index($x) != null;
def wanted:
	((.includes.arches // []) | length == 0 or has(.; $arch))
	and ((.includes.caps // []) | all(.[]; has($caps; .)))
	and (has(.excludes.arches; $arch) | not)
	and ((.excludes.caps // []) | any(.[]; has($caps; .)) | not);
{
	defaultAction,
	defaultErrnoRet,
	architectures: [.archMap[] | select(.architecture == native) | .architecture, .subArchitectures[]],
	syscalls: [.syscalls[] | select(wanted) | {names, action, args, errnoRet} | with_entries(select(.value != null))]
}
