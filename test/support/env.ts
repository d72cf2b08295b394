// The SDK warns once per process that Node 20 support ends in 2027; in test output that notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
