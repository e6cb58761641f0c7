package dev.brook.store;

class MemoryObjectStoreContractTest extends ObjectStoreContract {
    @Override
    protected ObjectStore openAdapter() {
        return new MemoryObjectStore(System::currentTimeMillis);
    }
}
