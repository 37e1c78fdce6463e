/* SPDX-License-Identifier: Apache-2.0 */
/* berth image import|list|rm: the image store (image/store.c), for
 * services that name `image = NAME[:TAG]`. */
#include <stdlib.h>
#include <string.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/image/store.h"
#include "berth/util/log.h"

int cmd_image(struct globals *g, int argc, char **argv)
{
	(void)g;
	static const struct cli_option opts[] = {
		{ "store", required_argument, 's' }, { "quiet", no_argument, 'q' },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "image", "[--store DIR] import FILE|DIR NAME[:TAG] | list [-q] | rm NAME[:TAG]...",
		"  import    a docker-archive (docker save), an oci-archive (plain or\n"
		"            gzip) or an OCI image layout directory, every blob's\n"
		"            digest checked, its layers applied into the store\n"
		"  list      the images in the store (-q: names only)\n"
		"  rm        forget images; a root no name uses is removed\n"
		"  -s, --store DIR  the store (default $BERTH_IMAGE_STORE, else\n"
		"                   " CONFIG_IMAGE_STORE_DIR ")\n", NULL };
	const char *store = image_store_dir();
	bool quiet = false;
	int c, code;
	/* Options before the verb, then after it: `berth image list -q`. */
	const char *verb = NULL;
	for (int pass = 0; pass < 2; pass++) {
		while ((c = cli_getopt(argc, argv, pass ? "s:qh" : "+s:qh", opts, &help, &code)) != -1) {
			if (c == -2)
				return code;
			if (c == 's')
				store = cli_optarg;
			else
				quiet = true;
		}
		if (!pass && cli_optind >= argc)
			return cli_usage(&help, 1);
		if (!pass)
			verb = argv[cli_optind++];
	}
	int n = argc - cli_optind;
	char **args = argv + cli_optind;
	if (!strcmp(verb, "import") && n == 2)
		return image_import(store, args[0], args[1]) < 0;
	if (!strcmp(verb, "list") && n == 0)
		return image_list(store, quiet) < 0;
	if (!strcmp(verb, "rm") && n >= 1) {
		int failed = 0;
		for (int i = 0; i < n; i++)
			failed |= image_remove(store, args[i]) < 0;
		return failed;
	}
	log_error("image: \"%s\" with %d arguments: expected import FILE|DIR NAME[:TAG], list or rm NAME[:TAG]...",
		  verb, n);
	return cli_usage(&help, 1);
}
