/**
 * XENBUS's STORE interface: the guest's xenstore client over the ring page of grant entry 1 and the
 * FIXED store event channel ({@code [bus store.c]}, windows-pv-drivers.md §1.4 and §8 XENBUS 1-4;
 * xen-pv-protocols.md §1 and §1.10). Entry point: {@link org.xenpv.xenbus.store.StoreClient}.
 */
package org.xenpv.xenbus.store;
